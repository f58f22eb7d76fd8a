import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

/** Lines a child writes to stdout, with a way to wait for one that matches. */
export class LineReader {
  private readonly waiters = new Set<{
    match: (l: string) => boolean;
    resolve: (l: string) => void;
  }>();
  private readonly listeners = new Set<(line: string) => void>();
  onLine(listener: (line: string) => void): void {
    this.listeners.add(listener);
  }
  /** The last lines, for error messages. */
  readonly tail: string[] = [];

  constructor(child: ChildProcess, stream: "stdout" | "stderr" = "stdout") {
    const input = child[stream];
    if (!input) throw new Error(`the child's ${stream} is not a pipe`);
    createInterface({ input }).on("line", (line) => {
      this.tail.push(line);
      for (const l of this.listeners) l(line);
      if (this.tail.length > 30) this.tail.shift();
      for (const w of this.waiters) {
        if (w.match(line)) {
          this.waiters.delete(w);
          w.resolve(line);
        }
      }
    });
  }

  next(what: string, match: (line: string) => boolean, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (l: string) => {
          clearTimeout(timer);
          resolve(l);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          new Error(`no ${what} within ${timeoutMs} ms; last output:\n${this.tail.join("\n")}`),
        );
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }
}

/** Waits for `child` to exit, killing it after `graceMs`. */
export function exited(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
