/**
 * Switches werift's own NACK handler off per upstream receiver, so that
 * ../nack.ts alone asks for lost packets, per SSRC: werift 0.24.4 keeps one
 * NackHandler per receiver for every simulcast layer's SSRC and mixes their
 * sequence numbers up (../nack.ts says how). Its handler is fed from
 * `RTCRtpReceiver.handleRTP` through the private `nack.addPacket`, which this
 * replaces on each instance.
 *
 * The guard runs at start (./index.ts): if werift no longer feeds its handler
 * that way, the server refuses to start (or, with PLENUM_FASTPATH=0, starts
 * without this fix and says so) instead of throwing per receiver mid-meeting.
 */
import { RTCRtpReceiver } from "werift";
import { method, TARGET_WERIFT_VERSION, weriftVersion } from "./guard";

let enabled = false;

/** Throws, naming the reason, on another werift version or shape. */
export function checkReceiverNack(version = weriftVersion()): void {
  if (version !== TARGET_WERIFT_VERSION)
    throw new Error(
      `silencing werift's NACK handler (src/server/media/werift/patches/receiver-nack.ts) targets werift ${TARGET_WERIFT_VERSION}, found ${version}: check whether the new version still mixes simulcast layers' sequence numbers up`,
    );
  method(RTCRtpReceiver.prototype, "handleRTP", ["nack.addPacket"]);
  if (!String(RTCRtpReceiver).includes("NackHandler"))
    throw new Error("werift shape changed: RTCRtpReceiver no longer makes a NackHandler");
}

/** Lets `silenceWeriftNacks` act; idempotent. Throws like `checkReceiverNack`. */
export function installReceiverNack(): void {
  if (enabled) return;
  checkReceiverNack();
  enabled = true;
}

/** Stops werift's own NACKs for this receiver, where the patch is installed. */
export function silenceWeriftNacks(receiver: RTCRtpReceiver): void {
  if (!enabled) return;
  const nack = (receiver as unknown as { nack?: { addPacket?: unknown } }).nack;
  // The guard checked the class at start; an instance without the handler has nothing to silence.
  if (nack && typeof nack.addPacket === "function") nack.addPacket = () => undefined;
}
