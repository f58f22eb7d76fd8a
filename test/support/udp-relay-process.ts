import { setPriority } from "node:os";
import { resolve } from "node:path";
import type { TestNetwork } from "./netns";
import { stopChild } from "./process";
import type { Direction, Impairment, RelayCounters } from "./udp-relay";

const HOST = resolve(import.meta.dirname, "udp-relay-host.ts");

export type RelayCommand = { id: number } & (
  | { op: "impair"; impairment: Impairment; direction: Direction | "both" }
  | { op: "clear" }
  | { op: "counters" }
  | { op: "close" }
);

export type RelayReply = { id: number } & (
  | { ok: true; counters?: RelayCounters & { cpuMs: number } }
  | { ok: false; error: string }
);

/** A UdpRelay running in the client namespace of a test network, commanded over IPC. */
export interface RelayProcess {
  /** Where clients reach the relay: an address of the client side's own (see netns.ts). */
  readonly address: string;
  impair(impairment: Impairment, direction?: Direction | "both"): Promise<void>;
  clear(): Promise<void>;
  /** The relay's counters, and the CPU time its process has used. */
  counters(): Promise<RelayCounters & { cpuMs: number }>;
  /** Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts an impairing relay beside the client of `net`: it listens on a fresh
 * address of the client side at every port of `ports` and forwards to the
 * server side's address at the same port. The server announces the relay's
 * address as its media address, so the client's media can only take the relay.
 *
 * Why a process in the client namespace: a server whose media sockets are
 * bound to 0.0.0.0 (as ours are when it announces several addresses) holds
 * each port on every address of its namespace, so no relay there could bind
 * the same port numbers.
 */
export async function startRelayProcess(
  net: TestNetwork,
  options: { ports: [number, number]; seed?: number },
): Promise<RelayProcess> {
  const address = net.addClientAddress();
  const relayOptions = { ...options, listenAddress: address, targetAddress: net.serverAddress };
  // `ip netns exec` execs node in place, so the IPC channel (an inherited fd) survives.
  const child = net.spawn(
    "client",
    process.execPath,
    ["--import", "tsx", HOST, JSON.stringify(relayOptions)],
    { stdio: ["ignore", "inherit", "inherit", "ipc"] },
  );
  // The relay stands for the network, which on a real system does not wait for the test's
  // browsers and server to leave it a CPU: on a loaded machine, its scheduling delays would
  // be jitter nobody asked for. (`ip netns exec` execs node in place: the same pid.)
  try {
    if (child.pid) setPriority(child.pid, -10);
  } catch {
    // Not permitted: the relay still works, with more incidental jitter.
  }
  const pending = new Map<number, (r: RelayReply) => void>();
  let exited = false;
  child.on("message", (r: RelayReply) => pending.get(r.id)?.(r));
  child.once("exit", (code, signal) => {
    exited = true;
    for (const settle of pending.values())
      settle({ id: -1, ok: false, error: `relay process exited (${code ?? signal})` });
  });
  let next = 1;
  const ask = (command: RelayCommand, timeoutMs = 10_000): Promise<RelayReply> =>
    new Promise((resolveReply, reject) => {
      if (exited) return reject(new Error("udp relay: its process has exited"));
      const timer = setTimeout(() => {
        pending.delete(command.id);
        reject(new Error(`udp relay: no answer to ${command.op} within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(command.id, (r) => {
        clearTimeout(timer);
        pending.delete(command.id);
        if (r.ok) resolveReply(r);
        else reject(new Error(`udp relay: ${r.error}`));
      });
      if (command.id !== 0) child.send(command);
    });

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      if (!exited && child.connected)
        await ask({ id: next++, op: "close" }, 5_000).catch(() => undefined);
      await stopChild(child, "SIGTERM", 5_000);
    })();
    return closing;
  };
  try {
    // The host says { id: 0 } once every port is bound (or why not).
    await ask({ id: 0, op: "counters" }, 60_000);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    address,
    async impair(impairment, direction = "both") {
      await ask({ id: next++, op: "impair", impairment, direction });
    },
    async clear() {
      await ask({ id: next++, op: "clear" });
    },
    async counters() {
      const r = await ask({ id: next++, op: "counters" });
      if (!r.ok || !r.counters) throw new Error("udp relay: no counters in the answer");
      return r.counters;
    },
    close,
  };
}
