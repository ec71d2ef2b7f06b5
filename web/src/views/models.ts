import type { Engine } from "../../../src/browser/engine.js";
import { clearError, h, showError } from "../dom.js";

/** Open a GGUF or safetensors file from disk: its metadata and tensors, and chat with a GGUF model. */
export function modelsView(root: HTMLElement, engine: Engine): void {
  const input = h("input", { type: "file", accept: ".gguf,.safetensors", "data-testid": "model-file" });
  const message = h("p", { class: "message", "data-testid": "model-message" });
  const details = h("div", { class: "row top" });
  const chatLog = h("div", { class: "chat", "data-testid": "chat-log" });
  const chatInput = h("input", {
    type: "text",
    class: "wide",
    placeholder: "Say something…",
    "data-testid": "chat-input",
  });
  const send = h("button", { class: "primary", disabled: true, "data-testid": "chat-send" }, "Send");
  const history: { role: "user" | "assistant"; content: string }[] = [];

  input.addEventListener("change", async () => {
    const file = input.files?.[0];
    if (!file) return;
    clearError(message);
    details.replaceChildren();
    chatLog.replaceChildren();
    history.length = 0;
    message.textContent = `reading ${file.name}…`;
    try {
      const info = await engine.call("openModel", {
        name: file.name,
        bytes: new Uint8Array(await file.arrayBuffer()),
      });
      message.textContent = `${info.name}: ${info.format}, ${(info.bytes / 2 ** 20).toFixed(1)} MiB, ${info.tensors.length} tensors; ${info.chat.ready ? (info.chat.template ? "ready to chat" : "ready to chat (no chat template: it continues your text)") : `no chat: ${info.chat.reason}`}`;
      send.disabled = !info.chat.ready;
      details.append(
        h(
          "table",
          { "data-testid": "model-metadata" },
          h("tr", {}, h("th", {}, "key"), h("th", {}, "value")),
          ...info.metadata.map(([k, v]) => h("tr", {}, h("td", { class: "mono" }, k), h("td", {}, v))),
        ),
        h(
          "table",
          { "data-testid": "model-tensors" },
          h("tr", {}, h("th", {}, "tensor"), h("th", {}, "type"), h("th", {}, "shape")),
          ...info.tensors
            .slice(0, 200)
            .map((t) =>
              h(
                "tr",
                {},
                h("td", { class: "mono" }, t.name),
                h("td", {}, t.type),
                h("td", {}, `[${t.shape.join(", ")}]`),
              ),
            ),
        ),
      );
    } catch (error) {
      showError(message, error);
    }
  });

  const chat = async () => {
    const content = chatInput.value.trim();
    if (!content) return;
    chatInput.value = "";
    history.push({ role: "user", content });
    chatLog.append(h("div", { class: "user" }, content));
    const reply = h("div", { class: "assistant", "data-testid": "chat-reply" });
    chatLog.append(reply);
    send.disabled = true;
    try {
      const text = await engine.call("chat", { messages: history, maxTokens: 120, temperature: 0.7 }, (e) =>
        reply.append(e.text),
      );
      history.push({ role: "assistant", content: text });
      reply.dataset.done = "true";
    } catch (error) {
      showError(reply, error);
    } finally {
      send.disabled = false;
    }
  };
  send.addEventListener("click", chat);
  chatInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter") chat();
  });

  root.append(
    h(
      "p",
      { class: "hint" },
      "Files stay on this computer: they are read by the engine in this page. A GPT trained in the Train view exports as GGUF.",
    ),
    h("div", { class: "row" }, h("label", {}, "Model file", input)),
    message,
    h("div", { class: "row" }, h("label", { class: "wide" }, "Chat", chatInput), send),
    chatLog,
    details,
  );
}
