import uPlot from "uplot";
import type { Engine } from "../../../src/browser/engine.js";
import type { LanguageModelKind, TrainProgress } from "../../../src/browser/engine-protocol.js";
import { clearError, download, h, numberField, selectField, showError } from "../dom.js";
import { TEXT_SAMPLES } from "../samples.js";

/** Paste text or pick a sample, choose a model, watch the loss fall; pause, save, load. */
export function trainView(root: HTMLElement, engine: Engine): void {
  const text = h("textarea", { rows: 8, "data-testid": "train-text", spellcheck: "false" });
  const [sampleLabel, sample] = selectField("Sample", [
    ["", "— paste your own —"],
    ...Object.keys(TEXT_SAMPLES).map((name) => [name, name] as [string, string]),
  ]);
  sample.addEventListener("change", () => {
    if (sample.value) text.value = TEXT_SAMPLES[sample.value]!;
  });
  sample.value = "Moby Dick, chapter 1";
  text.value = TEXT_SAMPLES[sample.value]!;
  const [kindLabel, kind] = selectField(
    "Model",
    [
      ["gpt", "GPT (Transformer)"],
      ["lstm", "LSTM"],
      ["gru", "GRU"],
      ["ngram", "n-gram (Kneser-Ney)"],
    ],
    "train-kind",
  );
  const [stepsLabel, steps] = numberField("Steps", 300, { min: 1, "data-testid": "train-steps" });
  const [layersLabel, layers] = numberField("Layers", 2, { min: 1, max: 12 });
  const [widthLabel, width] = numberField("Width", 64, { min: 8, step: 8 });
  const [blockLabel, block] = numberField("Block", 64, { min: 4 });
  const [batchLabel, batch] = numberField("Batch", 12, { min: 1 });
  const [lrLabel, lr] = numberField("Learning rate", 0.003, { step: 0.0005 });
  const [orderLabel, order] = numberField("n-gram order", 5, { min: 1, max: 10 });

  const stats = {
    step: h("span", { "data-testid": "train-step" }, "–"),
    loss: h("span", { "data-testid": "train-loss" }, "–"),
    validation: h("span", { "data-testid": "train-validation" }, "–"),
    ms: h("span", {}, "–"),
    tokens: h("span", {}, "–"),
  };
  const message = h("p", { class: "message", "data-testid": "train-message" });
  const chartBox = h("div", { class: "chart", "data-testid": "loss-chart" });

  const trainButton = h("button", { "data-testid": "train-start", class: "primary" }, "Train");
  const pauseButton = h("button", { "data-testid": "train-pause", disabled: true }, "Pause");
  const stopButton = h("button", { "data-testid": "train-stop", disabled: true }, "Stop");
  const saveButton = h("button", { "data-testid": "train-save", disabled: true }, "Save checkpoint");
  const ggufButton = h("button", { "data-testid": "train-export-gguf", disabled: true }, "Export GGUF");
  const loadInput = h("input", { type: "file", accept: ".safetensors", "data-testid": "train-load" });

  let chart: uPlot | undefined;
  const series: [number[], (number | null)[], (number | null)[]] = [[], [], []];
  const drawChart = () => {
    const width = chartBox.clientWidth || 720;
    if (!chart) {
      chart = new uPlot(
        {
          width,
          height: 260,
          scales: { x: { time: false } },
          axes: [{ label: "step" }, { label: "loss" }],
          series: [
            {},
            { label: "training loss", stroke: "#3060d0", width: 1.5 },
            { label: "validation loss", stroke: "#d05030", width: 2, points: { show: true }, spanGaps: true },
          ],
        },
        series,
        chartBox,
      );
    } else chart.setData(series);
  };
  window.addEventListener("resize", () => chart?.setSize({ width: chartBox.clientWidth, height: 260 }));

  let paused = false;
  const setRunning = (running: boolean) => {
    trainButton.disabled = running;
    pauseButton.disabled = !running;
    stopButton.disabled = !running;
    if (!running) {
      paused = false;
      pauseButton.textContent = "Pause";
    }
  };
  const onProgress = (p: TrainProgress) => {
    series[0].push(p.step);
    series[1].push(p.loss);
    series[2].push(p.validationLoss ?? null);
    stats.step.textContent = `${p.step} / ${p.steps}`;
    stats.loss.textContent = p.loss.toFixed(4);
    if (p.validationLoss !== undefined) stats.validation.textContent = p.validationLoss.toFixed(4);
    stats.ms.textContent = `${p.msPerStep.toFixed(1)} ms`;
    stats.tokens.textContent = Math.round(p.tokensPerSecond).toLocaleString("en");
    // The displayed curve's values, for tests and the curious (uPlot draws on a canvas).
    chartBox.dataset.losses = JSON.stringify(series[1]);
    drawChart();
  };

  trainButton.addEventListener("click", async () => {
    clearError(message);
    for (const s of series) s.length = 0;
    setRunning(true);
    const chosen = kind.value as LanguageModelKind;
    message.textContent = "training…";
    try {
      const result = await engine.call(
        "train",
        {
          text: text.value,
          kind: chosen,
          steps: steps(),
          layers: layers(),
          width: width(),
          heads: Math.max(1, Math.min(8, width() / 16)),
          blockSize: block(),
          batchSize: batch(),
          lr: lr(),
          order: order(),
        },
        onProgress,
      );
      if (chosen === "ngram") {
        stats.loss.textContent = result.loss.toFixed(4);
        stats.validation.textContent = result.validationLoss.toFixed(4);
      }
      message.textContent = `${result.stopped ? "stopped" : "done"}: ${result.description}, ${result.parameters.toLocaleString("en")} ${chosen === "ngram" ? "n-grams" : "parameters"}; validation loss ${result.validationLoss.toFixed(4)} nats/token`;
      saveButton.disabled = chosen === "ngram";
      ggufButton.disabled = chosen !== "gpt";
      window.dispatchEvent(new CustomEvent("model-trained", { detail: chosen }));
    } catch (error) {
      showError(message, error);
    } finally {
      setRunning(false);
    }
  });
  pauseButton.addEventListener("click", async () => {
    paused = !paused;
    pauseButton.textContent = paused ? "Resume" : "Pause";
    await engine.call(paused ? "pause" : "resume", {});
    message.textContent = paused ? "paused" : "training…";
  });
  stopButton.addEventListener("click", () => engine.call("stop", {}));
  saveButton.addEventListener("click", async () => {
    try {
      download(await engine.call("saveCheckpoint", {}), `playground-${kind.value}.safetensors`);
    } catch (error) {
      showError(message, error);
    }
  });
  ggufButton.addEventListener("click", async () => {
    try {
      download(await engine.call("exportGguf", {}), "playground-gpt.gguf");
    } catch (error) {
      showError(message, error);
    }
  });
  loadInput.addEventListener("change", async () => {
    const file = loadInput.files?.[0];
    if (!file) return;
    clearError(message);
    try {
      const result = await engine.call("loadCheckpoint", { bytes: new Uint8Array(await file.arrayBuffer()) });
      message.textContent = `loaded ${file.name}: ${result.description}, ${result.steps} steps, validation loss ${result.validationLoss.toFixed(4)}`;
      saveButton.disabled = false;
      ggufButton.disabled = !result.description.startsWith("GPT");
      window.dispatchEvent(new CustomEvent("model-trained"));
    } catch (error) {
      showError(message, error);
    }
  });

  root.append(
    h("div", { class: "row" }, sampleLabel, kindLabel),
    text,
    h(
      "div",
      { class: "row" },
      stepsLabel,
      layersLabel,
      widthLabel,
      blockLabel,
      batchLabel,
      lrLabel,
      orderLabel,
    ),
    h(
      "div",
      { class: "row" },
      trainButton,
      pauseButton,
      stopButton,
      saveButton,
      ggufButton,
      h("label", {}, "Load checkpoint", loadInput),
    ),
    h(
      "div",
      { class: "stats" },
      h("div", {}, "step ", stats.step),
      h("div", {}, "loss ", stats.loss),
      h("div", {}, "validation ", stats.validation),
      h("div", {}, "step time ", stats.ms),
      h("div", {}, "tokens/s ", stats.tokens),
    ),
    message,
    chartBox,
  );
}
