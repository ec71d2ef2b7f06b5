import { createInterface } from "node:readline";
import { Command } from "commander";
import { type ChatMessage, ChatTemplate } from "../../text/gguf/chat-template.js";
import { openSession, type SamplingFlags, samplerOf, statsLine, withSamplingOptions } from "./run.js";

interface ChatFlags extends SamplingFlags {
  system?: string;
  stats: boolean;
}

export function chatCommand(): Command {
  return withSamplingOptions(
    new Command("chat")
      .description(
        "talk with a model from a GGUF file, its chat template formatting the conversation (/reset starts over, /exit or Ctrl-D ends)",
      )
      .argument("<model>", "a .gguf file with a chat model")
      .option("--system <text>", "a system message that starts the conversation")
      .option("--stats", "print timings after each reply", false),
    1024,
  ).action(async (path: string, flags: ChatFlags) => {
    const log = (text: string) => process.stderr.write(text);
    const session = openSession(path, flags, log);
    const template = ChatTemplate.of(session.tokenizer);
    const start: ChatMessage[] = flags.system ? [{ role: "system", content: flags.system }] : [];
    let history = [...start];
    // Lines are read through the iterator, which queues those typed (or piped) while a
    // reply is being generated.
    const terminal = createInterface({ input: process.stdin, terminal: false });
    let turn = 0;
    process.stdout.write("> ");
    try {
      for await (const line of terminal) {
        const text = line.trim();
        if (text === "/exit" || text === "/quit") break;
        if (text === "/reset") {
          history = [...start];
          process.stdout.write("(conversation reset)\n> ");
          continue;
        }
        if (!text) {
          process.stdout.write("> ");
          continue;
        }
        history.push({ role: "user", content: text });
        let reply = "";
        const { stats } = session.generate(template.encode(history), {
          maxTokens: flags.maxTokens,
          sampler: samplerOf(flags),
          seed: flags.seed + turn++,
          onText: (piece) => {
            reply += piece;
            process.stdout.write(piece);
          },
        });
        process.stdout.write("\n");
        history.push({ role: "assistant", content: reply.trim() });
        if (flags.stats) log(`${statsLine(stats)}\n`);
        process.stdout.write("> ");
      }
    } finally {
      terminal.close();
    }
  });
}
