import type {
  Counters,
  FromWorker,
  Kind,
  Side,
  ToWorker,
  TransformOptions,
} from "./worker-protocol";

type ScriptTransformCtor = new (worker: Worker, options: TransformOptions) => unknown;
type Streams = { readable: ReadableStream; writable: WritableStream };
type WithEncodedStreams = { createEncodedStreams?: () => Streams; transform?: unknown };

const ScriptTransform = (globalThis as { RTCRtpScriptTransform?: ScriptTransformCtor })
  .RTCRtpScriptTransform;

/** Whether this browser can encrypt media end to end (encoded transforms of either kind). */
export function encodedTransformsSupported(): boolean {
  if (ScriptTransform) return true;
  return typeof RTCRtpSender !== "undefined" && "createEncodedStreams" in RTCRtpSender.prototype;
}

/** The peer connection option the `createEncodedStreams` fallback needs (Chromium only). */
export function transformPeerConfig(): RTCConfiguration {
  return ScriptTransform ? {} : ({ encodedInsertableStreams: true } as RTCConfiguration);
}

/**
 * The page's side of media encryption: one worker per meeting, an encoded
 * transform on every sender and receiver, and the epoch keys handed to the
 * worker as MLS produces them. Keys never leave the browser.
 */
export class MediaEncryption {
  private readonly worker = new Worker(new URL("./worker.ts", import.meta.url), {
    type: "module",
    name: "plenum-e2ee",
  });
  private latest: Counters | undefined;
  private nextId = 0;

  constructor(private readonly onCounters: (counters: Counters) => void) {
    this.worker.onmessage = (event: MessageEvent<FromWorker>) => {
      this.latest = event.data.counters;
      // Counters only (never keys), readable from the console and by browser tests.
      (globalThis as { plenumE2eeCounters?: Counters }).plenumE2eeCounters = this.latest;
      this.onCounters(event.data.counters);
    };
  }

  get counters(): Counters | undefined {
    return this.latest;
  }

  setEpoch(
    epoch: number,
    secret: Uint8Array,
    selfIndex: number,
    members: Map<number, string>,
  ): void {
    this.post({ type: "epoch", epoch, secret, selfIndex, members });
  }

  /** Frames through the receive transform `id` must come from `participantId`. */
  setOwner(id: string, participantId: string): void {
    this.post({ type: "owner", id, participantId });
  }

  /** Encrypts everything `sender` sends; returns the transform's id. */
  attachSender(sender: RTCRtpSender, kind: Kind): string {
    return this.attach(sender as unknown as WithEncodedStreams, "send", kind);
  }

  /** Decrypts what `receiver` gets; returns the transform's id (for per-tile counters). */
  attachReceiver(receiver: RTCRtpReceiver, kind: Kind): string {
    return this.attach(receiver as unknown as WithEncodedStreams, "receive", kind);
  }

  close(): void {
    this.worker.terminate();
  }

  private attach(target: WithEncodedStreams, side: Side, kind: Kind): string {
    const id = `${side}-${this.nextId++}`;
    const options: TransformOptions = { side, kind, id };
    if (ScriptTransform) {
      target.transform = new ScriptTransform(this.worker, options);
      return id;
    }
    const streams = target.createEncodedStreams?.();
    if (!streams) throw new Error("encoded transforms are not supported");
    this.post({ type: "streams", ...streams, ...options }, [streams.readable, streams.writable]);
    return id;
  }

  private post(message: ToWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(message, transfer);
  }
}
