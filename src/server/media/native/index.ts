/**
 * The native media helpers (plenum_media.c), built by `npm ci` through
 * node-gyp from binding.gyp where a C toolchain is installed
 * (scripts/build-native.mjs; without one it says so in one line and `npm ci`
 * succeeds). Optional at run time: without them the forwarding fast path uses
 * its JavaScript code, the same bytes on the wire at a higher CPU cost per
 * packet, and the server says so once at start. `npm test` requires them
 * (PLENUM_NATIVE=required, native.test.ts), so a broken build does not go unnoticed.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** An OpenSSL cipher state held by the addon, freed when the JavaScript handle is collected. */
export type NativeCipher = { readonly __nativeCipher: unique symbol };

export interface NativeMedia {
  gcmCreate(key: Buffer): NativeCipher;
  gcmSeal(state: NativeCipher, packet: Buffer, aadLength: number, iv: Buffer): void;
  gcmOpen(state: NativeCipher, packet: Buffer, aadLength: number, iv: Buffer): boolean;
  ctrCreate(key: Buffer, authKey: Buffer): NativeCipher;
  ctrXor(state: NativeCipher, data: Buffer, from: number, to: number, counter: Buffer): void;
  ctrTag(
    state: NativeCipher,
    data: Buffer,
    length: number,
    roc: number,
    out: Buffer,
    outOffset: number,
  ): void;
  sendTo(fd: number, data: Buffer, port: number, host: string): number;
}

/** Where node-gyp puts the addon: build/Release at the project's root. */
export const ADDON_PATH = join(
  dirname(fileURLToPath(import.meta.url)),
  "../../../../build/Release/plenum_media.node",
);

let loaded: { media?: NativeMedia; error?: string } | undefined;

/** The addon, or why it is not there (read once per thread). */
export function loadNativeMedia(): { media?: NativeMedia; error?: string } {
  if (!loaded) {
    try {
      loaded = { media: createRequire(import.meta.url)(ADDON_PATH) as NativeMedia };
    } catch (error) {
      loaded = { error: (error as Error).message.split("\n")[0] };
    }
  }
  return loaded;
}
