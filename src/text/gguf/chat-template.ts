// Chat prompts from a model's own template (`tokenizer.chat_template`, Jinja), rendered with
// @huggingface/jinja as transformers does: messages, bos/eos tokens, add_generation_prompt.
import { Template } from "@huggingface/jinja";
import type { GgufTokenizer } from "./tokenizer.js";

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

// For files without a template: the ChatML layout many small models use.
const CHATML =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

export class ChatTemplate {
  readonly #template: Template;

  constructor(
    readonly source: string,
    private readonly tokenizer: GgufTokenizer,
  ) {
    try {
      this.#template = new Template(source);
    } catch (error) {
      throw new Error(`the model's chat template does not parse: ${(error as Error).message}`);
    }
  }

  /** The file's template, else ChatML. */
  static of(tokenizer: GgufTokenizer): ChatTemplate {
    return new ChatTemplate(tokenizer.vocab.chatTemplate ?? CHATML, tokenizer);
  }

  render(messages: readonly ChatMessage[], addGenerationPrompt = true): string {
    const token = (id: number | undefined) => (id === undefined ? "" : this.tokenizer.vocab.tokens[id]!);
    return this.#template.render({
      messages,
      add_generation_prompt: addGenerationPrompt,
      bos_token: token(this.tokenizer.bosId),
      eos_token: token(this.tokenizer.eosId),
    });
  }

  /** The prompt's token ids: special tokens in the rendered text become tokens; BOS once. */
  encode(messages: readonly ChatMessage[]): number[] {
    const ids = this.tokenizer.encode(this.render(messages), { addSpecial: false, parseSpecial: true });
    const bos = this.tokenizer.bosId;
    if (this.tokenizer.addsBos && bos !== undefined && ids[0] !== bos) ids.unshift(bos);
    return ids;
  }
}
