import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** 128 random bits, base64url (22 characters): unguessable, as the room link is the key. */
export function newRoomId(): string {
  return randomBytes(16).toString("base64url");
}

/** 256 random bits for the moderator link. */
export function newSecret(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * The secret is high-entropy random, so a plain SHA-256 is enough to make a
 * leaked database useless for taking over rooms (no dictionary to try).
 */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export function secretMatches(secret: string, hash: string): boolean {
  const a = Buffer.from(hashSecret(secret), "hex");
  const b = Buffer.from(hash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}
