/**
 * `skip` for tests whose results cannot depend on the default target: input checks that
 * fail before anything is computed, and code in plain JavaScript (n-gram models, tokenizers).
 * The wasm pass (test/wasm-pass.sh) re-runs whole folders with wasm as the default target;
 * there these tests would only repeat the default pass, so they skip, saying why.
 */
export const TARGET_INDEPENDENT =
  process.env.INFINISET_TARGET === "wasm" ? "no target computes it: the default pass covers it" : undefined;
