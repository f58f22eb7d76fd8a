import type { Page } from "playwright-core";

/**
 * Milestones of one person's way back after a lost connection, as their
 * browser sees them: Date.now() values (the test and the browser share the
 * clock), recorded by a 50 ms poll inside the page so that a loaded test
 * process does not delay them.
 */
export interface ReconnectTrace {
  /** A new signalling socket opened. */
  wsOpen?: number;
  /** The "reconnecting" banner went away: joined again. */
  rejoined?: number;
  /** Encryption back on ("End-to-end encrypted" with a safety number). */
  e2eeOn?: number;
  /** Both new peer connections (publisher, subscriber) `connected`. */
  connected?: number;
  /** First video bytes on the new subscriber connection, per stream (ms since the mark). */
  firstBytes?: number;
  /** First frame decoded from every other person. */
  allDecoding?: number;
  /** Per new peer connection: created, remote description set, ICE connected, connected. */
  pcs: { created: number; remote?: number; ice?: number; up?: number }[];
  /** Per new inbound video stream: first bytes, first frame received, first frame decoded. */
  streams: Record<string, { bytes?: number; received?: number; decoded?: number; plis: number }>;
}

/**
 * Starts recording `page`'s milestones from now on; call before the
 * connection drops. `others` is how many people's video it should decode.
 */
export function startTrace(page: Page, others: number): Promise<void> {
  return page.evaluate((others) => {
    type W = {
      __pcs: RTCPeerConnection[];
      __ws?: number[];
      __trace: ReconnectTrace;
      __traceTimer?: number;
    };
    const w = window as unknown as W;
    const firstPc = w.__pcs.length;
    const wsBefore = w.__ws?.length ?? 0;
    const trace: ReconnectTrace = { streams: {}, pcs: [] };
    w.__trace = trace;
    let sawE2eeOff = false;
    const tick = async () => {
      const now = Date.now();
      if (trace.wsOpen === undefined && (w.__ws?.length ?? 0) > wsBefore)
        trace.wsOpen = w.__ws?.[wsBefore];
      const banner = document.querySelector(".connection-banner");
      if (trace.rejoined === undefined && trace.wsOpen !== undefined && !banner)
        trace.rejoined = now;
      const on = document.querySelector(".e2ee-state.on");
      if (!on) sawE2eeOff = true;
      if (trace.e2eeOn === undefined && sawE2eeOff && on && trace.rejoined) trace.e2eeOn = now;
      const fresh = w.__pcs.slice(firstPc).filter((pc) => pc.connectionState !== "closed");
      if (
        trace.connected === undefined &&
        fresh.length >= 2 &&
        fresh.every((pc) => pc.connectionState === "connected")
      )
        trace.connected = now;
      for (const [i, pc] of w.__pcs.slice(firstPc).entries()) {
        const p = trace.pcs[i] ?? { created: now };
        trace.pcs[i] = p;
        if (p.remote === undefined && pc.remoteDescription) p.remote = now;
        if (p.ice === undefined && pc.iceConnectionState === "connected") p.ice = now;
        if (p.up === undefined && pc.connectionState === "connected") p.up = now;
      }
      let decoding = 0;
      for (const [i, pc] of fresh.entries()) {
        const report = await pc.getStats();
        report.forEach((s) => {
          if (s.type !== "inbound-rtp" || s.kind !== "video") return;
          const key = `${i}/${s.ssrc}`;
          const st = trace.streams[key] ?? { plis: 0 };
          trace.streams[key] = st;
          st.plis = (s.pliCount ?? 0) + (s.firCount ?? 0);
          if (st.bytes === undefined && (s.bytesReceived ?? 0) > 0) st.bytes = now;
          if (st.received === undefined && (s.framesReceived ?? 0) > 0) st.received = now;
          if (st.decoded === undefined && (s.framesDecoded ?? 0) > 0) st.decoded = now;
          if (st.decoded !== undefined) decoding++;
          if (trace.firstBytes === undefined && st.bytes !== undefined) trace.firstBytes = now;
        });
      }
      if (trace.allDecoding === undefined && decoding >= others) trace.allDecoding = now;
      if (trace.allDecoding === undefined) w.__traceTimer = window.setTimeout(tick, 50);
    };
    void tick();
  }, others);
}

/** What `startTrace` recorded so far. */
export function readTrace(page: Page): Promise<ReconnectTrace> {
  return page.evaluate(() => (window as unknown as { __trace: ReconnectTrace }).__trace);
}

/**
 * Records when each WebSocket of the page opens (init script; product code
 * untouched), and gives the page the `__name` helper the test's transpiler
 * wraps named inner functions in, so `startTrace` can run there.
 */
export async function recordSockets(page: Page): Promise<void> {
  await page.context().addInitScript(() => {
    const w = window as unknown as { __ws: number[]; __name: unknown };
    w.__name = (f: unknown) => f;
    w.__ws = [];
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        this.addEventListener("open", () => w.__ws.push(Date.now()));
      }
    };
  });
}

/** One line per person: each milestone in ms after `zero`. */
export function formatTrace(trace: ReconnectTrace, zero: number): string {
  const at = (t: number | undefined) => (t === undefined ? "-" : String(t - zero));
  const streams = Object.values(trace.streams)
    .map(
      (s) => `${at(s.bytes)}/${at(s.received)}/${at(s.decoded)}${s.plis ? ` pli ${s.plis}` : ""}`,
    )
    .join(" ");
  const pcs = trace.pcs
    .map((p) => `${at(p.created)}/${at(p.remote)}/${at(p.ice)}/${at(p.up)}`)
    .join(" ");
  return `[pcs created/remote/ice/up: ${pcs}] ws ${at(trace.wsOpen)} rejoined ${at(trace.rejoined)} e2ee ${at(trace.e2eeOn)} connected ${at(trace.connected)} bytes ${at(trace.firstBytes)} all-decoding ${at(trace.allDecoding)} [streams bytes/received/decoded: ${streams}]`;
}
