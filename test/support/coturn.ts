import { type ChildProcess, spawn } from "node:child_process";
import { randomFillSync } from "node:crypto";
import { createSocket } from "node:dgram";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stopChild } from "./process";

const SHIPPED = resolve(import.meta.dirname, "../../deploy/coturn/turnserver.conf");
/** Settings of the shipped file that only make sense on a real host; the test sets its own. */
const HOST_SPECIFIC =
  /^(listening-port|tls-listening-port|listening-ip|relay-ip|external-ip|cert|pkey|min-port|max-port|static-auth-secret|realm|log-file|no-stdout-log|cipher-list|no-tlsv1|no-tlsv1_1)\b/;

export interface Coturn {
  /** e.g. turn:127.0.0.1:40123?transport=udp */
  url: string;
  port: number;
  secret: string;
  realm: string;
  /** What coturn wrote, for failure messages. */
  output(): string;
  close(): Promise<void>;
}

/** A free UDP port on loopback (released at once; coturn takes it right after). */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket("udp4");
  await new Promise<void>((r) => socket.bind(0, "127.0.0.1", r));
  const { port } = socket.address();
  await new Promise<void>((r) => socket.close(() => r()));
  return port;
}

/**
 * Starts the Debian package's `turnserver` with Plenum's shipped configuration
 * — every denied range, use-auth-secret — on a loopback ephemeral port, with
 * `extra` lines appended (the test's exceptions). Stopped by `close()`.
 */
export async function startCoturn(extra: string[] = []): Promise<Coturn> {
  const dir = mkdtempSync(join(tmpdir(), "plenum-coturn-"));
  const port = await freeUdpPort();
  // Relay ports from a random slice of the ephemeral range, so parallel runs rarely meet.
  const base = 50_000 + Math.floor(Math.random() * 140) * 100;
  const secret = "test-secret-0123456789abcdef";
  const realm = "plenum.test";
  const shipped = readFileSync(SHIPPED, "utf8")
    .split("\n")
    .filter((line) => !HOST_SPECIFIC.test(line.trim()));
  const config = [
    ...shipped,
    "# --- test settings",
    "listening-ip=127.0.0.1",
    "relay-ip=127.0.0.1",
    `listening-port=${port}`,
    `min-port=${base}`,
    `max-port=${base + 99}`,
    `static-auth-secret=${secret}`,
    `realm=${realm}`,
    "no-tls",
    "no-dtls",
    "no-tcp-relay",
    `pidfile=${join(dir, "turnserver.pid")}`,
    `userdb=${join(dir, "turndb")}`,
    "log-file=stdout",
    ...extra,
  ];
  const file = join(dir, "turnserver.conf");
  writeFileSync(file, `${config.join("\n")}\n`);
  const child: ChildProcess = spawn("turnserver", ["-c", file], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    out += d;
  });
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= stopChild(child, "SIGTERM", 5000).finally(() =>
      rmSync(dir, { recursive: true, force: true }),
    );
    return closing;
  };
  try {
    const exited = new Promise<never>((_, fail) =>
      child.once("exit", (code) => fail(new Error(`coturn exited with ${code}:\n${out}`))),
    );
    exited.catch(() => undefined);
    await Promise.race([answersStun(port, 30_000, () => out), exited]);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    url: `turn:127.0.0.1:${port}?transport=udp`,
    port,
    secret,
    realm,
    output: () => out,
    close,
  };
}

/**
 * Resolves once a STUN Binding request to `port` is answered: coturn is then
 * listening. Polled, because coturn prints nothing reliable when it is ready.
 */
async function answersStun(port: number, timeoutMs: number, output: () => string): Promise<void> {
  const socket = createSocket("udp4");
  await new Promise<void>((r) => socket.bind(0, "127.0.0.1", r));
  try {
    const answered = new Promise<void>((r) =>
      socket.on("message", (m) => {
        // 0x0101: Binding success response.
        if (m.readUInt16BE(0) === 0x0101) r();
      }),
    );
    const request = Buffer.alloc(20);
    request.writeUInt16BE(0x0001, 0);
    request.writeUInt32BE(0x2112a442, 4);
    randomFillSync(request, 8, 12);
    const deadline = Date.now() + timeoutMs;
    let done = false;
    void answered.then(() => {
      done = true;
    });
    while (!done) {
      if (Date.now() > deadline)
        throw new Error(`coturn did not answer STUN within ${timeoutMs} ms:\n${output()}`);
      socket.send(request, port, "127.0.0.1");
      await Promise.race([answered, new Promise((r) => setTimeout(r, 200))]);
    }
  } finally {
    socket.close();
  }
}
