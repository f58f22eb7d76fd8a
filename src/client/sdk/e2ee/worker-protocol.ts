/** Messages between the page and the media encryption worker. */

export type Side = "send" | "receive";
export type Kind = "audio" | "video";

/** Options each transform carries; `id` names the transceiver for per-tile counters. */
export interface TransformOptions {
  side: Side;
  kind: Kind;
  id: string;
}

export type ToWorker =
  /**
   * A new epoch's `sframe_epoch_secret`, this member's leaf index in it, and
   * who is at each leaf (leaf index -> participant id).
   */
  | {
      type: "epoch";
      epoch: number;
      secret: Uint8Array;
      selfIndex: number;
      members: Map<number, string>;
    }
  /**
   * The receive transform `id` carries `participantId`'s media: only frames
   * that member sent may pass it, so nobody can re-send another member's
   * authentic frames as their own (e.g. a simulcast layer the victim never got).
   */
  | { type: "owner"; id: string; participantId: string }
  /** The `createEncodedStreams` fallback hands over the streams themselves. */
  | ({ type: "streams"; readable: ReadableStream; writable: WritableStream } & TransformOptions);

/** What the transforms counted since the worker started; never any key material. */
export interface Counters {
  encrypted: number;
  decrypted: number;
  /** Frames dropped before the decoder, by reason. */
  dropped: { noKey: number; auth: number; replay: number; malformed: number };
  /** Receive-side frames that failed (any reason), by transform id. */
  failedById: Record<string, number>;
  /** Send side: frames held back because no key exists yet (never sent in clear). */
  withheld: number;
}

export type FromWorker = { type: "counters"; counters: Counters };
