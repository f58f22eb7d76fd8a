import type { Readable, Writable } from "node:stream";

/** Thrown when the person pressed Ctrl-C or the input ended before a password came. */
export class NoPasswordError extends Error {
  override name = "NoPasswordError";
}

/**
 * Reads a password: from a terminal without echoing it, or — when stdin is
 * not a terminal (scripts, tests) — as the first line of stdin.
 */
export async function readPassword(
  prompt: string,
  input: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown } = process.stdin,
  output: Writable = process.stderr,
): Promise<string> {
  if (input.isTTY && input.setRawMode) return readFromTerminal(prompt, input, output);
  return readFirstLine(input);
}

function readFromTerminal(
  prompt: string,
  input: Readable & { setRawMode?: (raw: boolean) => unknown },
  output: Writable,
): Promise<string> {
  output.write(prompt);
  input.setRawMode?.(true);
  input.setEncoding("utf8");
  input.resume();
  return new Promise((resolve, reject) => {
    let typed = "";
    const done = (error?: Error) => {
      input.off("data", onData);
      input.setRawMode?.(false);
      input.pause();
      output.write("\n");
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === "\r" || char === "\n") return done();
        if (char === "\u0003" || char === "\u0004")
          return done(new NoPasswordError("Cancelled; nothing was changed."));
        if (char === "\u007f" || char === "\b") typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    input.on("data", onData);
  });
}

async function readFirstLine(input: Readable): Promise<string> {
  let text = "";
  for await (const chunk of input) {
    text += chunk.toString();
    if (text.includes("\n")) break;
  }
  const line = text.split(/\r?\n/)[0];
  if (line === undefined || (line === "" && !text.includes("\n")))
    throw new NoPasswordError("No password on standard input.");
  return line;
}
