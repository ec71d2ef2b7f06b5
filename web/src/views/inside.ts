import type { Engine } from "../../../src/browser/engine.js";
import type { AttentionResult } from "../../../src/browser/engine-protocol.js";
import { clearError, h, probabilityColour, selectField, showError } from "../dom.js";
import { CLASSIFIER_SAMPLE } from "../samples.js";

/** Attention per layer and head, the next-token distribution at any position, and classifier saliency. */
export function insideView(root: HTMLElement, engine: Engine): void {
  const prompt = h("input", {
    type: "text",
    value: "Call me Ishmael. Some years ago",
    class: "wide",
    "data-testid": "inside-prompt",
  });
  const button = h("button", { class: "primary", "data-testid": "attention-start" }, "Look inside");
  const [layerLabel, layer] = selectField("Layer", [], "attention-layer");
  const [headLabel, head] = selectField("Head", [], "attention-head");
  const canvas = h("canvas", { width: 480, height: 480, "data-testid": "attention-canvas" });
  const tokens = h("div", { class: "tokens", "data-testid": "inside-tokens" });
  const next = h("div", { class: "next", "data-testid": "next-tokens" });
  const message = h("p", { class: "message", "data-testid": "inside-message" });
  let maps: AttentionResult | undefined;

  const draw = () => {
    if (!maps) return;
    const n = maps.tokens.length;
    const l = Number(layer.value);
    const hd = Number(head.value);
    const context = canvas.getContext("2d")!;
    const cell = Math.max(2, Math.floor(480 / n));
    canvas.width = canvas.height = cell * n;
    context.fillStyle = "#fff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    const base = (l * maps.heads + hd) * n * n;
    for (let q = 0; q < n; q++) {
      for (let k = 0; k <= q; k++) {
        const w = maps.weights[base + q * n + k]!;
        const light = Math.round(255 - 230 * Math.sqrt(w));
        context.fillStyle = `rgb(${light},${light},255)`;
        context.fillRect(k * cell, q * cell, cell, cell);
      }
    }
  };
  layer.addEventListener("change", draw);
  head.addEventListener("change", draw);
  canvas.addEventListener("mousemove", (event) => {
    if (!maps) return;
    const n = maps.tokens.length;
    const cell = canvas.width / n;
    const q = Math.floor(event.offsetY / cell);
    const k = Math.floor(event.offsetX / cell);
    if (q < n && k <= q) {
      const w = maps.weights[(Number(layer.value) * maps.heads + Number(head.value)) * n * n + q * n + k]!;
      canvas.title = `${JSON.stringify(maps.tokens[q])} → ${JSON.stringify(maps.tokens[k])}: ${w.toFixed(3)}`;
    }
  });

  button.addEventListener("click", async () => {
    clearError(message);
    next.replaceChildren();
    try {
      const distribution = await engine.call("nextTokens", { prompt: prompt.value, k: 8 });
      tokens.replaceChildren(
        ...distribution.tokens.map((text, i) => {
          const span = h("span", { class: "token", tabindex: 0 }, text);
          const show = () => {
            for (const other of tokens.children) other.classList.remove("selected");
            span.classList.add("selected");
            next.replaceChildren(
              h(
                "div",
                {},
                `after ${JSON.stringify(
                  distribution.tokens
                    .slice(0, i + 1)
                    .join("")
                    .slice(-24),
                )}:`,
              ),
              ...distribution.next[i]!.map((c) =>
                h(
                  "div",
                  { class: "bar" },
                  h("span", { class: "mono" }, JSON.stringify(c.text)),
                  h("span", { class: "fill", style: `width:${Math.round(200 * c.probability)}px` }),
                  c.probability.toFixed(3),
                ),
              ),
            );
          };
          span.addEventListener("click", show);
          span.addEventListener("focus", show);
          return span;
        }),
      );
      (tokens.lastElementChild as HTMLElement | null)?.click();
    } catch (error) {
      showError(message, error);
      return;
    }
    try {
      maps = await engine.call("attention", { prompt: prompt.value });
      layer.replaceChildren(
        ...Array.from({ length: maps.layers }, (_, i) => h("option", { value: i }, String(i))),
      );
      head.replaceChildren(
        ...Array.from({ length: maps.heads }, (_, i) => h("option", { value: i }, String(i))),
      );
      draw();
      message.textContent = `${maps.tokens.length} tokens, ${maps.layers} layers × ${maps.heads} heads: row = the position looking, column = where it looks`;
    } catch (error) {
      maps = undefined;
      canvas.getContext("2d")!.clearRect(0, 0, canvas.width, canvas.height);
      message.textContent = (error as Error).message;
    }
  });

  // Classifier saliency
  const examples = h("textarea", { rows: 6, "data-testid": "classifier-examples", spellcheck: "false" });
  examples.value = CLASSIFIER_SAMPLE;
  const trainClassifier = h("button", { "data-testid": "classifier-train" }, "Train classifier");
  const sentence = h("input", {
    type: "text",
    value: "strong wind and rain while the soup simmers",
    class: "wide",
    "data-testid": "saliency-text",
  });
  const explain = h("button", { "data-testid": "saliency-start" }, "Which words decided?");
  const saliency = h("div", { class: "saliency", "data-testid": "saliency" });
  const classifierMessage = h("p", { class: "message" });
  trainClassifier.addEventListener("click", async () => {
    clearError(classifierMessage);
    const parsed = examples.value
      .split("\n")
      .map((line) => line.split("\t"))
      .filter((parts) => parts.length === 2 && parts[1]!.trim())
      .map(([label, text]) => ({ label: label!.trim(), text: text!.trim() }));
    try {
      const result = await engine.call("trainClassifier", { examples: parsed }, (p) => {
        classifierMessage.textContent = `step ${p.step}/${p.steps}, loss ${p.loss.toFixed(3)}`;
      });
      classifierMessage.textContent = `trained a 1-D CNN on ${parsed.length} examples (${result.labels.join(", ")}): ${(100 * result.accuracy).toFixed(0)}% right on them`;
    } catch (error) {
      showError(classifierMessage, error);
    }
  });
  explain.addEventListener("click", async () => {
    clearError(classifierMessage);
    try {
      const result = await engine.call("saliency", { text: sentence.value });
      saliency.replaceChildren(
        h(
          "div",
          {},
          result.labels.map((l, i) => `${l} ${result.probabilities[i]!.toFixed(3)}`).join(" · "),
          ` → ${result.label}`,
        ),
        h(
          "div",
          {},
          ...result.tokens.flatMap((t, i) => [
            h(
              "span",
              {
                class: "token",
                style: `background:${probabilityColour(1 - result.saliency[i]!)}`,
                title: `saliency ${result.saliency[i]!.toFixed(2)}`,
              },
              t,
            ),
            " ",
          ]),
        ),
      );
    } catch (error) {
      showError(classifierMessage, error);
    }
  });

  root.append(
    h("h2", {}, "Attention and next-token distributions"),
    h("div", { class: "row" }, h("label", { class: "wide" }, "Prompt", prompt), button),
    message,
    tokens,
    h(
      "div",
      { class: "row top" },
      h("div", {}, h("div", { class: "row" }, layerLabel, headLabel), canvas),
      next,
    ),
    h("h2", {}, "Which words moved a classifier's decision (gradient saliency)"),
    h("p", { class: "hint" }, "One example a line: label, a tab, the text."),
    examples,
    h("div", { class: "row" }, trainClassifier, h("label", { class: "wide" }, "Text", sentence), explain),
    classifierMessage,
    saliency,
  );
}
