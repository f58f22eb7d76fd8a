/**
 * Room links commit to end-to-end encryption in their fragment (`#e2ee=1`),
 * which browsers never send to the server: a client that opens such a link
 * refuses a meeting the server serves unencrypted (docs/E2EE.md, "No
 * downgrade").
 */
export function withE2ee(url: string, e2ee: boolean): string {
  if (!e2ee || /[#&]e2ee=1(&|$)/.test(url)) return url;
  return url.includes("#") ? `${url}&e2ee=1` : `${url}#e2ee=1`;
}

/** What a room link's fragment carries: the moderator secret and the encryption commitment. */
export function readFragment(hash: string): { moderatorToken?: string; e2ee: boolean } {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const mod = params.get("mod");
  const moderatorToken = mod && /^[A-Za-z0-9_-]+$/.test(mod) ? mod : undefined;
  return { ...(moderatorToken ? { moderatorToken } : {}), e2ee: params.get("e2ee") === "1" };
}
