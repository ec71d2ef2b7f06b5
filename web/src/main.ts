import { Engine } from "../../src/browser/engine.js";
import { generateView } from "./views/generate.js";
import { insideView } from "./views/inside.js";
import { instructionsView } from "./views/instructions.js";
import { modelsView } from "./views/models.js";
import { trainView } from "./views/train.js";
import "uplot/dist/uPlot.min.css";
import "./style.css";

const engine = new Engine();
const status = document.getElementById("status")!;

for (const button of document.querySelectorAll<HTMLButtonElement>("#tabs button")) {
  button.addEventListener("click", () => {
    for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("active", b === button);
    for (const view of document.querySelectorAll(".view"))
      view.classList.toggle("active", view.id === button.dataset.tab);
    window.dispatchEvent(new CustomEvent("tab", { detail: button.dataset.tab }));
  });
}

trainView(document.getElementById("train")!, engine);
generateView(document.getElementById("generate")!, engine);
insideView(document.getElementById("inside")!, engine);
modelsView(document.getElementById("models")!, engine);
instructionsView(document.getElementById("instructions")!, engine);

// ?threads=N sets the size of the engine's pool (default: the browser's core count).
const threads = Number(new URLSearchParams(location.search).get("threads")) || undefined;
// For the console and for benches: the page's engine.
(window as unknown as { infiniset: Engine }).infiniset = engine;

engine
  .call("info", { webgpu: "gpu" in navigator, ...(threads ? { threads } : {}) })
  .then((info) => {
    status.textContent =
      `${info.crossOriginIsolated ? "cross-origin isolated" : "not isolated (one thread)"} · ${info.target}` +
      (info.webgpu ? ` · WebGPU: ${info.webgpu}` : info.webgpuReason ? " · no WebGPU adapter" : "");
    if (info.webgpuReason) status.title = info.webgpuReason;
    status.dataset.ready = "true";
  })
  .catch((error: Error) => {
    status.textContent = `the engine did not start: ${error.message}`;
    status.classList.add("error");
  });
