/** What the harness, the SFU process and the client processes tell each other. */
export type ToServer =
  | { type: "publish"; label: string; sdp: string }
  | { type: "subscribe"; label: string }
  | { type: "answer"; label: string; sdp: string }
  | { type: "profile-start" }
  | { type: "profile-stop"; file: string }
  | { type: "close" };

export type FromServer =
  | { type: "profiled" }
  | { type: "ready"; fastPath: boolean }
  | { type: "answer"; label: string; sdp: string }
  | { type: "offer"; label: string; sdp: string }
  | { type: "failed"; label: string; reason: string };

export type ToClients =
  | { type: "start-publisher"; rate: number; packetBytes: number }
  | { type: "answer"; label: string; sdp: string }
  | { type: "start-subscribers"; count: number }
  | { type: "offer"; label: string; sdp: string }
  | { type: "count" }
  | { type: "close" };

export type FromClients =
  | { type: "ready" }
  | { type: "publish"; label: string; sdp: string }
  | { type: "subscribe"; label: string }
  | { type: "answer"; label: string; sdp: string }
  | { type: "counts"; sent: number; received: number[] }
  | { type: "failed"; reason: string };
