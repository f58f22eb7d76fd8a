import type { RtpPacket } from "werift";

/** Louder than this (in -dBov, RFC 6464) counts as voice. */
const VOICE_LEVEL = 50;
/** Smoothing of the voiced-packet share; about a second of Opus packets. */
const ALPHA = 0.05;
/** This share of voiced packets means someone speaks, not a click or a cough. */
const SPEAKING_SHARE = 0.3;

/**
 * When a person last spoke, from the audio level their browser writes into
 * every Opus packet's header (RFC 6464; clear even with end-to-end
 * encryption). Last-N forwards the video of the most recent speakers.
 */
export class SpeechDetector {
  /** ms since epoch; 0 = never. */
  lastSpokeAt = 0;
  private share = 0;

  level(packet: RtpPacket, extensionId: number, now: number): void {
    const ext = packet.header.extensions.find((e) => e.id === extensionId);
    const byte = ext?.payload[0];
    if (byte === undefined) return;
    const voiced = (byte & 0x7f) < VOICE_LEVEL ? 1 : 0;
    this.share += ALPHA * (voiced - this.share);
    if (this.share > SPEAKING_SHARE) this.lastSpokeAt = now;
  }
}
