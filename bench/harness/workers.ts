import type { ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import type { TestNetwork } from "../../test/support/netns";
import type { HarnessMessage, WorkerMessage } from "../loadgen/messages";
import { exited } from "./lines";

const WORKER = resolve(import.meta.dirname, "../loadgen/worker.ts");

/** One load generator process in the client namespace, commanded over IPC. */
export class LoadWorker {
  private readonly inbox: WorkerMessage[] = [];
  private readonly waiters = new Set<() => void>();
  private exit: string | undefined;

  private constructor(private readonly child: ChildProcess) {
    child.on("message", (m: WorkerMessage) => {
      this.inbox.push(m);
      for (const w of this.waiters) w();
    });
    child.on("exit", (code, signal) => {
      this.exit = `load generator exited (${code ?? signal})`;
      for (const w of this.waiters) w();
    });
  }

  static start(net: TestNetwork): LoadWorker {
    // `ip netns exec` execs node in place, so the IPC channel (an inherited fd) survives.
    const child = net.spawn("client", process.execPath, ["--import", "tsx", WORKER], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    return new LoadWorker(child);
  }

  /** The load generator's own process (ip netns exec execs node in place). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  send(message: HarnessMessage): void {
    this.child.send(message);
  }

  /** Sends `message` and waits for the reply of `type` (or an error reply). */
  async request<T extends WorkerMessage["type"]>(
    message: HarnessMessage,
    type: T,
    timeoutMs: number,
  ): Promise<Extract<WorkerMessage, { type: T }>> {
    this.send(message);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.inbox.findIndex((m) => m.type === type || m.type === "error");
      if (i >= 0) {
        const [m] = this.inbox.splice(i, 1);
        if (m?.type === "error") throw new Error(`load generator: ${m.message}`);
        return m as Extract<WorkerMessage, { type: T }>;
      }
      if (this.exit) throw new Error(this.exit);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`load generator: no ${type} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }

  /** Asks the process to hang up everything and exit; kills it if it does not. Idempotent. */
  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null && this.child.connected)
      this.send({ type: "close" });
    await exited(this.child, 15_000);
  }

  kill(): void {
    this.child.kill("SIGKILL");
  }
}
