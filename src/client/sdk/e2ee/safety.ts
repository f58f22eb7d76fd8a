/**
 * The safety number: the first 9 bytes of the MLS epoch authenticator
 * (RFC 9420, section 8.7) as 20 decimal digits in five groups of four, easy to
 * read aloud. Every member of the same epoch computes the same value; a member
 * whose group was split off by a man in the middle computes another.
 */
export function safetyNumber(authenticator: Uint8Array): string {
  let n = 0n;
  for (const byte of authenticator.subarray(0, 9)) n = (n << 8n) | BigInt(byte);
  const digits = (n % 10n ** 20n).toString().padStart(20, "0");
  return digits.match(/.{4}/g)?.join(" ") ?? digits;
}
