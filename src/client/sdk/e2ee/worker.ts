/// <reference lib="webworker" />
import {
  clearBytes,
  decryptFrame,
  deriveSenderKey,
  EPOCH_BITS,
  encryptFrame,
  readHeader,
  type SenderKey,
  splitKeyId,
} from "./sframe";
import type { Counters, FromWorker, ToWorker, TransformOptions } from "./worker-protocol";

/**
 * The media encryption worker: every encoded frame passes here, on the way
 * out (encrypt) and in (decrypt). A frame that does not authenticate is
 * dropped, so it never reaches the decoder (fail closed); nothing is ever
 * sent unencrypted, not even before the first key arrives.
 */

/** Receivers keep the previous epoch this long, for frames still in flight. */
const PREVIOUS_EPOCH_MS = 2000;
/**
 * A frame under the next epoch can arrive before this member has processed the
 * commit that starts it (the sender moved first). It waits this long for the
 * key rather than being dropped, which would freeze the picture until a key frame.
 */
const NEXT_EPOCH_WAIT_MS = 1000;
/** Counters a counter may lag behind the highest seen before it counts as a replay. */
const REPLAY_WINDOW = 512n;

interface Epoch {
  epoch: number;
  secret: Uint8Array;
  selfIndex: number;
  /** Leaf index -> participant id. */
  members: Map<number, string>;
  /** This member's next frame counter under this epoch's key: unique per key (RFC 9605, 4.4.3). */
  counter: bigint;
  /** Set when a newer epoch arrived. */
  expiresAt?: number;
}

const scope = self as unknown as DedicatedWorkerGlobalScope;
const epochs = new Map<number, Epoch>();
let current: Epoch | undefined;
const keys = new Map<bigint, { epoch: number; key: Promise<SenderKey> }>();
/** Per key: highest counter seen and the counters seen near it. */
const seen = new Map<bigint, { max: bigint; recent: Set<bigint> }>();
/** Receive transform id -> the participant whose media it carries (see "owner"). */
const owners = new Map<string, string>();
const keyFrameRequests = new Set<() => void>();
const epochWaiters = new Set<() => void>();
const counters: Counters = {
  encrypted: 0,
  decrypted: 0,
  dropped: { noKey: 0, auth: 0, replay: 0, malformed: 0 },
  failedById: {},
  withheld: 0,
};

scope.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === "epoch") return setEpoch(message);
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

function setEpoch(message: Extract<ToWorker, { type: "epoch" }>): void {
  const now = Date.now();
  for (const [slot, e] of epochs) {
    if (e.expiresAt !== undefined && e.expiresAt < now) epochs.delete(slot);
    else if (e.expiresAt === undefined) e.expiresAt = now + PREVIOUS_EPOCH_MS;
  }
  for (const [kid, k] of keys) if (!epochs.has(k.epoch % (1 << EPOCH_BITS))) keys.delete(kid);
  current = { ...message, counter: 0n };
  epochs.set(message.epoch % (1 << EPOCH_BITS), current);
  for (const wake of epochWaiters) wake();
  epochWaiters.clear();
  // New keys for everyone: a key frame lets receivers that could not read the old ones start.
  for (const request of keyFrameRequests) request();
}

function keyFor(epoch: Epoch, senderIndex: number): Promise<SenderKey> {
  const kid = (BigInt(senderIndex) << BigInt(EPOCH_BITS)) | BigInt(epoch.epoch % (1 << EPOCH_BITS));
  let entry = keys.get(kid);
  if (!entry || entry.epoch !== epoch.epoch) {
    entry = { epoch: epoch.epoch, key: deriveSenderKey(epoch.secret, epoch.epoch, senderIndex) };
    keys.set(kid, entry);
  }
  return entry.key;
}

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
        const out = await encrypt(options, new Uint8Array(frame.data));
        if (!out) return;
        frame.data = out.buffer as ArrayBuffer;
        controller.enqueue(frame);
        return;
      }
      const out = await decrypt(options, new Uint8Array(frame.data));
      if (!out) {
        failing = true;
        counters.failedById[options.id] = (counters.failedById[options.id] ?? 0) + 1;
        return;
      }
      // The decoder missed frames: it needs a key frame to show anything again.
      if (failing) requestKeyFrame();
      failing = false;
      frame.data = out.buffer as ArrayBuffer;
      controller.enqueue(frame);
    },
  });
  readable
    .pipeThrough(transform)
    .pipeTo(writable)
    .catch(() => undefined);
}

async function encrypt(
  options: TransformOptions,
  data: Uint8Array,
): Promise<Uint8Array | undefined> {
  const epoch = current;
  if (!epoch) {
    counters.withheld++;
    return undefined;
  }
  // Taken before any await, with the epoch it belongs to, so no counter is used twice with a key.
  const counter = epoch.counter++;
  const key = await keyFor(epoch, epoch.selfIndex);
  const out = await encryptFrame(key, counter, data, clearBytes(options.kind, data));
  counters.encrypted++;
  return out;
}

async function decrypt(
  options: TransformOptions,
  data: Uint8Array,
): Promise<Uint8Array | undefined> {
  const clear = clearBytes(options.kind, data);
  const header = readHeader(data, clear);
  if (!header) {
    counters.dropped.malformed++;
    return undefined;
  }
  const { epochBits, senderIndex } = splitKeyId(header.kid);
  if (!epochs.has(epochBits) && current && epochBits === (current.epoch + 1) % (1 << EPOCH_BITS))
    await nextEpoch();
  const epoch = epochs.get(epochBits);
  if (!epoch || (epoch.expiresAt !== undefined && epoch.expiresAt < Date.now())) {
    counters.dropped.noKey++;
    return undefined;
  }
  const window = seen.get(header.kid);
  // A frame of another member than the one whose track this is: re-sent by someone else.
  const owner = owners.get(options.id);
  if (owner !== undefined && epoch.members.get(senderIndex) !== owner) {
    counters.dropped.auth++;
    return undefined;
  }
  // The SFU never sends our own frames back: one that comes is a reflection.
  const reflected = senderIndex === epoch.selfIndex;
  if (
    reflected ||
    (window && (header.counter + REPLAY_WINDOW < window.max || window.recent.has(header.counter)))
  ) {
    counters.dropped.replay++;
    return undefined;
  }
  let plain: Uint8Array;
  try {
    plain = await decryptFrame(await keyFor(epoch, senderIndex), data, clear, header);
  } catch {
    counters.dropped.auth++;
    return undefined;
  }
  // Only an authentic frame may move the replay window.
  remember(header.kid, header.counter);
  counters.decrypted++;
  return plain;
}

function nextEpoch(): Promise<void> {
  return new Promise((resolve) => {
    epochWaiters.add(resolve);
    setTimeout(resolve, NEXT_EPOCH_WAIT_MS);
  });
}

function remember(kid: bigint, counter: bigint): void {
  let window = seen.get(kid);
  if (!window) {
    window = { max: counter, recent: new Set() };
    seen.set(kid, window);
  }
  window.recent.add(counter);
  if (counter > window.max) window.max = counter;
  if (window.recent.size > Number(REPLAY_WINDOW) * 2) {
    for (const c of window.recent) if (c + REPLAY_WINDOW < window.max) window.recent.delete(c);
  }
}
