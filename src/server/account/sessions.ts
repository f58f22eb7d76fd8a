import { createHash, randomBytes } from "node:crypto";
import type { AccountRef } from "../auth/account";
import type { Store } from "../store/store";

const HOUR_MS = 60 * 60 * 1000;

/**
 * Sign-in sessions. The token (256 random bits) lives only in the browser's
 * cookie; the database keeps its SHA-256, so a leaked database signs nobody
 * in. A plain hash suffices because the token is random, not chosen.
 */
export class AuthSessions {
  constructor(
    private readonly store: Store,
    private readonly hours: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** How long a session lasts, for the cookie's Max-Age. */
  get lifetimeSeconds(): number {
    return this.hours * 3600;
  }

  /** Starts a session for the account; returns the token for the cookie. */
  async create(accountId: string): Promise<string> {
    const token = randomBytes(32).toString("base64url");
    const now = this.now();
    await this.store.accounts.createSession(
      hashToken(token),
      accountId,
      now,
      now + this.hours * HOUR_MS,
    );
    return token;
  }

  /** The account behind a token, or undefined when it is unknown or expired (then deleted). */
  async resolve(token: string): Promise<AccountRef | undefined> {
    const hash = hashToken(token);
    const session = await this.store.accounts.findSession(hash);
    if (!session) return undefined;
    if (session.expiresAt <= this.now()) {
      await this.store.accounts.deleteSession(hash);
      return undefined;
    }
    const account = await this.store.accounts.findById(session.accountId);
    return account && { id: account.id, username: account.username };
  }

  async destroy(token: string): Promise<void> {
    await this.store.accounts.deleteSession(hashToken(token));
  }

  /** Retention: deletes every expired session; returns how many went. */
  deleteExpired(): Promise<number> {
    return this.store.accounts.deleteExpiredSessions(this.now());
  }
}

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
