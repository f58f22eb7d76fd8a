import { clearBytes, deriveSenderKey, encryptFrame } from "../src/client/sdk/e2ee/sframe";
import { median, quantile } from "./stats";

/**
 * SFrame encryption per frame with the code the worker runs (WebCrypto
 * AES-128-GCM). Sizes: 720p VP8 at about 1.5 Mbit/s and 30 fps gives ~6 KB
 * delta frames and ~40 KB key frames; Opus at 20 ms ~ 120 bytes.
 */
export async function frameCost(kind: "audio" | "video", size: number, frames: number) {
  const key = await deriveSenderKey(crypto.getRandomValues(new Uint8Array(32)), 1, 0);
  const frame = crypto.getRandomValues(new Uint8Array(size));
  frame[0] = 0x01; // a delta frame
  const times: number[] = [];
  for (let i = 0; i < frames; i++) {
    const t = performance.now();
    await encryptFrame(key, BigInt(i), frame, clearBytes(kind, frame));
    times.push(performance.now() - t);
  }
  return { median: median(times), p99: quantile(times, 0.99) };
}
