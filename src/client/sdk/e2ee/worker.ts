/// <reference lib="webworker" />
import { Keyring } from "./keyring";
import type { Counters, FromWorker, ToWorker, TransformOptions } from "./worker-protocol";

/**
 * The media encryption worker: every encoded frame passes here, on the way
 * out (encrypt) and in (decrypt). A frame that does not authenticate is
 * dropped, so it never reaches the decoder (fail closed); nothing is ever
 * sent unencrypted, not even before the first key arrives. The keys, counters
 * and replay windows live in `Keyring` (tested on its own).
 */

const scope = self as unknown as DedicatedWorkerGlobalScope;
const keyring = new Keyring();
/** Receive transform id -> the participant whose media it carries (see "owner"). */
const owners = new Map<string, string>();
const keyFrameRequests = new Set<() => void>();
const counters: Counters = {
  encrypted: 0,
  decrypted: 0,
  dropped: { noKey: 0, auth: 0, replay: 0, malformed: 0 },
  failedById: {},
  withheld: 0,
};

scope.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === "epoch") {
    keyring.setEpoch(message.epoch, message.secret, message.selfIndex, message.members);
    // New keys for everyone: a key frame lets receivers that could not read the old ones start.
    for (const request of keyFrameRequests) request();
    return;
  }
  if (message.type === "owner") {
    owners.set(message.id, message.participantId);
    return;
  }
  attach(message.readable, message.writable, message);
};

// RTCRtpScriptTransform delivers its streams here.
(scope as unknown as { onrtctransform: unknown }).onrtctransform = (event: {
  transformer: {
    readable: ReadableStream;
    writable: WritableStream;
    options: TransformOptions;
    generateKeyFrame?: () => Promise<unknown>;
    sendKeyFrameRequest?: () => Promise<unknown>;
  };
}) => {
  const t = event.transformer;
  if (t.options.side === "send" && t.generateKeyFrame)
    keyFrameRequests.add(() => void t.generateKeyFrame?.().catch(() => undefined));
  const requestKeyFrame = () => void t.sendKeyFrameRequest?.().catch(() => undefined);
  attach(t.readable, t.writable, t.options, requestKeyFrame);
};

setInterval(() => scope.postMessage({ type: "counters", counters } satisfies FromWorker), 250);

type Frame = { data: ArrayBuffer };

function attach(
  readable: ReadableStream,
  writable: WritableStream,
  options: TransformOptions,
  requestKeyFrame: () => void = () => undefined,
): void {
  let failing = false;
  const transform = new TransformStream<Frame, Frame>({
    async transform(frame, controller) {
      if (options.side === "send") {
        const out = await keyring.encrypt(options.kind, new Uint8Array(frame.data));
        if (!out) {
          counters.withheld++;
          return;
        }
        counters.encrypted++;
        frame.data = out.buffer as ArrayBuffer;
        controller.enqueue(frame);
        return;
      }
      const out = await keyring.decrypt(
        options.kind,
        new Uint8Array(frame.data),
        owners.get(options.id),
      );
      if ("drop" in out) {
        counters.dropped[out.drop]++;
        failing = true;
        counters.failedById[options.id] = (counters.failedById[options.id] ?? 0) + 1;
        return;
      }
      counters.decrypted++;
      // The decoder missed frames: it needs a key frame to show anything again.
      if (failing) requestKeyFrame();
      failing = false;
      frame.data = out.plain.buffer as ArrayBuffer;
      controller.enqueue(frame);
    },
  });
  readable
    .pipeThrough(transform)
    .pipeTo(writable)
    .catch(() => undefined);
}
