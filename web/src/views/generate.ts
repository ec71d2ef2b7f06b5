import type { Engine } from "../../../src/browser/engine.js";
import type { TokenEvent } from "../../../src/browser/engine-protocol.js";
import { clearError, h, numberField, probabilityColour, showError } from "../dom.js";

/** Streams tokens coloured by the model's probability, with the likeliest alternatives on hover. */
export function generateView(root: HTMLElement, engine: Engine): void {
  const prompt = h("input", {
    type: "text",
    value: "Call me Ishmael.",
    "data-testid": "generate-prompt",
    class: "wide",
  });
  const [maxLabel, maxTokens] = numberField("Tokens", 200, { min: 1, max: 2000 });
  const [temperatureLabel, temperature] = numberField("Temperature", 0.8, { min: 0, step: 0.1 });
  const [topKLabel, topK] = numberField("Top-k (0: off)", 0, { min: 0 });
  const [topPLabel, topP] = numberField("Top-p", 1, { min: 0.01, max: 1, step: 0.05 });
  const button = h("button", { class: "primary", "data-testid": "generate-start" }, "Generate");
  const output = h("div", { class: "generated", "data-testid": "generated" });
  const message = h("p", { class: "message" });
  const tip = h("div", { class: "tip", hidden: true, "data-testid": "token-tip" });

  const tokenSpan = (t: TokenEvent) => {
    const span = h(
      "span",
      { class: "token", style: `background:${probabilityColour(t.probability)}` },
      t.text,
    );
    span.dataset.probability = String(t.probability);
    span.addEventListener("mouseenter", () => {
      tip.replaceChildren(
        h("div", {}, `p = ${t.probability.toFixed(3)}`),
        h(
          "table",
          {},
          ...t.alternatives.map((a) =>
            h(
              "tr",
              {},
              h("td", { class: "mono" }, JSON.stringify(a.text)),
              h("td", {}, a.probability.toFixed(3)),
            ),
          ),
        ),
      );
      const box = span.getBoundingClientRect();
      tip.style.left = `${box.left + window.scrollX}px`;
      tip.style.top = `${box.bottom + window.scrollY + 4}px`;
      tip.hidden = false;
    });
    span.addEventListener("mouseleave", () => (tip.hidden = true));
    return span;
  };

  button.addEventListener("click", async () => {
    clearError(message);
    output.replaceChildren(h("span", { class: "prompt" }, prompt.value));
    button.disabled = true;
    const start = performance.now();
    let count = 0;
    try {
      await engine.call(
        "generate",
        {
          prompt: prompt.value,
          maxTokens: maxTokens(),
          temperature: temperature(),
          ...(topK() > 0 ? { topK: topK() } : {}),
          topP: topP(),
          seed: Math.floor(Math.random() * 2 ** 31),
        },
        (t) => {
          count++;
          output.append(tokenSpan(t));
        },
      );
      message.textContent = `${count} tokens in ${((performance.now() - start) / 1000).toFixed(2)} s; hover a token for the model's alternatives`;
    } catch (error) {
      showError(message, error);
    } finally {
      button.disabled = false;
    }
  });

  root.append(
    h("div", { class: "row" }, h("label", { class: "wide" }, "Prompt", prompt)),
    h("div", { class: "row" }, maxLabel, temperatureLabel, topKLabel, topPLabel, button),
    message,
    output,
    tip,
  );
}
