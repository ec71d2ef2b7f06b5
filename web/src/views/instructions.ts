import type { Engine } from "../../../src/browser/engine.js";
import { clearError, h, showError } from "../dom.js";

const SNIPPET = `// Any tensor code; return the tensor(s) to compute.
const x = randn([64, 256]);
const w = randn([256, 256]);
const b = zeros([256]);
return x.matmul(w).add(b).gelu().softmax(-1);`;

/** The instruction set, and what the compiler made of a snippet: kernels, fused instructions, times. */
export function instructionsView(root: HTMLElement, engine: Engine): void {
  const table = h("table", { "data-testid": "isa-table" });
  const summary = h("p", { class: "hint" });
  const snippet = h("textarea", {
    rows: 7,
    class: "mono",
    spellcheck: "false",
    "data-testid": "explain-snippet",
  });
  snippet.value = SNIPPET;
  const button = h("button", { class: "primary", "data-testid": "explain-start" }, "Compile and run");
  const kernels = h("table", { "data-testid": "explain-kernels" });
  const text = h("pre", { "data-testid": "explain-text" });
  const message = h("p", { class: "message" });
  let loaded = false;

  const load = async () => {
    if (loaded) return;
    loaded = true;
    try {
      const rows = await engine.call("instructions", {});
      table.replaceChildren(
        h(
          "tr",
          {},
          h("th", {}, "instruction"),
          h("th", {}, "kind"),
          h("th", {}, "gradient"),
          h("th", {}, "own kernel on"),
          h("th", {}, "what it does"),
        ),
        ...rows.map((r) =>
          h(
            "tr",
            {},
            h("td", { class: "mono" }, r.name),
            h("td", {}, r.kind),
            h("td", {}, r.differentiable ? "yes" : "–"),
            h("td", {}, r.targets.join(", ") || "–"),
            h("td", {}, r.doc),
          ),
        ),
      );
      const primitives = rows.filter((r) => r.kind === "primitive").length;
      summary.textContent = `${rows.length} instructions: ${primitives} primitives, which every target runs, and ${rows.length - primitives} composites, which the compiler decomposes where a target has no kernel of its own.`;
    } catch (error) {
      loaded = false;
      showError(summary, error);
    }
  };
  window.addEventListener("tab", (event) => {
    if ((event as CustomEvent).detail === "instructions") load();
  });

  button.addEventListener("click", async () => {
    clearError(message);
    try {
      const result = await engine.call("explain", { snippet: snippet.value });
      const total = result.kernels.reduce((s, k) => s + k.ms, 0);
      message.textContent = `${result.instructions} instructions → ${result.kernels.length} kernels on ${result.target}, arena ${(result.arenaBytes / 1024).toFixed(1)} KiB, ${total.toFixed(3)} ms`;
      kernels.replaceChildren(
        h(
          "tr",
          {},
          h("th", {}, "#"),
          h("th", {}, "kernel"),
          h("th", {}, "shape"),
          h("th", {}, "instructions fused"),
          h("th", {}, "ms"),
        ),
        ...result.kernels.map((k, i) =>
          h(
            "tr",
            {},
            h("td", {}, String(i)),
            h("td", {}, k.kind),
            h("td", { class: "mono" }, k.shape),
            h("td", { class: "mono" }, k.fused),
            h("td", {}, k.ms.toFixed(3)),
          ),
        ),
      );
      text.textContent = result.text;
    } catch (error) {
      showError(message, error);
    }
  });

  root.append(
    h("h2", {}, "What the compiler makes of your code"),
    snippet,
    h("div", { class: "row" }, button),
    message,
    kernels,
    text,
    h("h2", {}, "The instruction set"),
    summary,
    table,
  );
}
