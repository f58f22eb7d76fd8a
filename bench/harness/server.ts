import type { ServerKind } from "../loadgen/messages";

/** A server the harness started, whichever it is. */
export interface ServerUnderTest {
  kind: ServerKind;
  /** What the load generator connects to, e.g. http://198.18.4.1:8080 */
  baseUrl: string;
  /** The process whose CPU, memory and file descriptors are measured (with its children). */
  pid: number;
  version: string;
  /** Node's event-loop delay (Plenum only). */
  eventLoop?: { reset(): void; report(): Promise<number> };
  /** Idempotent. */
  stop(): Promise<void>;
}
