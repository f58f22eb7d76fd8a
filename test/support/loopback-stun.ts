import { createSocket } from "node:dgram";
import { classes, Message, methods, parseMessage } from "werift";

/**
 * A STUN server on 127.0.0.1 for the test clients.
 *
 * werift 0.24 queries stun.l.google.com whenever a full ICE agent has no STUN
 * server configured (even with `iceServers: []`), so a client must be given
 * one. Pointing it at a closed port would keep packets local but stall every
 * gathering by seconds of retransmissions; answering locally is instant. The
 * answer is the truth (the client's loopback address), so the candidate it
 * yields is just a duplicate of the host candidate.
 */
export interface LoopbackStun {
  /** For `iceServers`: `stun:127.0.0.1:<port>` */
  url: string;
  close(): Promise<void>;
}

let shared: Promise<LoopbackStun> | undefined;

/** One responder per test process, started on first use and closed at exit (unref'd). */
export function loopbackStun(): Promise<LoopbackStun> {
  shared ??= startLoopbackStun();
  return shared;
}

export async function startLoopbackStun(): Promise<LoopbackStun> {
  const socket = createSocket("udp4");
  socket.on("message", (data, from) => {
    const request = parseMessage(data);
    if (request?.messageMethod !== methods.BINDING || request.messageClass !== classes.REQUEST)
      return;
    const response = new Message(methods.BINDING, classes.RESPONSE, request.transactionId)
      .setAttribute("XOR-MAPPED-ADDRESS", [from.address, from.port])
      .addFingerprint();
    socket.send(response.bytes, from.port, from.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind({ address: "127.0.0.1", port: 0 }, () => resolve());
  });
  // A shared responder must not keep the test process alive.
  socket.unref();
  let closing: Promise<void> | undefined;
  return {
    url: `stun:127.0.0.1:${socket.address().port}`,
    close() {
      closing ??= new Promise((resolve) => socket.close(() => resolve()));
      return closing;
    },
  };
}
