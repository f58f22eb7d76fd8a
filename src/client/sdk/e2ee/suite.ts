import {
  type CiphersuiteImpl,
  type CiphersuiteName,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
} from "ts-mls";

/** RFC 9420's mandatory-to-implement suite: X25519, AES-128-GCM, SHA-256, Ed25519. */
export const DEFAULT_SUITE: CiphersuiteName = "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519";
/**
 * The post-quantum hybrid: X-Wing (X25519 + ML-KEM-768) protects the group
 * secrets against "harvest now, decrypt later"; signatures stay Ed25519.
 */
export const POST_QUANTUM_SUITE: CiphersuiteName = "MLS_256_XWING_AES256GCM_SHA512_Ed25519";

const cache = new Map<CiphersuiteName, Promise<CiphersuiteImpl>>();

export function suiteImpl(name: CiphersuiteName): Promise<CiphersuiteImpl> {
  let impl = cache.get(name);
  if (!impl) {
    impl = getCiphersuiteImpl(getCiphersuiteFromName(name));
    cache.set(name, impl);
  }
  return impl;
}
