/**
 * Empties werift's history of sent packets (kept to answer NACKs) on a
 * layer switch (../forward.ts). After a switch the subscriber's decoder
 * starts afresh at the key frame, yet its NACKs for packets of the old layer
 * would be answered, at full size and unpaced: on the congested link that
 * made us switch down, those retransmissions crowd out the new layer's key
 * frame for seconds. `RTCRtpSender.replaceRTP` empties it the same way; the
 * field `rtpCache` is private in werift's typings only.
 *
 * The guard runs at start (./index.ts) instead of the poke silently doing
 * nothing if werift renamed the field.
 */
import { RTCRtpSender, type RTCRtpTransceiver } from "werift";
import { method, TARGET_WERIFT_VERSION, weriftVersion } from "./guard";

let enabled = false;

/** Throws, naming the reason, on another werift version or shape. */
export function checkSentHistory(version = weriftVersion()): void {
  if (version !== TARGET_WERIFT_VERSION)
    throw new Error(
      `emptying werift's sent-packet history (src/server/media/werift/patches/sent-history.ts) targets werift ${TARGET_WERIFT_VERSION}, found ${version}: check that RTCRtpSender still keeps it in rtpCache`,
    );
  method(RTCRtpSender.prototype, "replaceRTP", ["this.rtpCache = []"]);
}

/** Lets `forgetSent` act; idempotent. Throws like `checkSentHistory`. */
export function installSentHistory(): void {
  if (enabled) return;
  checkSentHistory();
  enabled = true;
}

/** Forgets every packet the transceiver's sender sent, where the patch is installed. */
export function forgetSent(transceiver: RTCRtpTransceiver): void {
  if (!enabled) return;
  const sender = transceiver.sender as unknown as { rtpCache?: unknown[] };
  if (Array.isArray(sender.rtpCache)) sender.rtpCache = [];
}
