import type { AccountRef } from "../auth/account";
import { LOGIN_PER_ADDRESS, LOGIN_PER_USERNAME, Throttle } from "../auth/throttle";
import type { Accounts } from "./accounts";
import type { AuthSessions } from "./sessions";

export type LoginResult =
  | { outcome: "signed-in"; account: AccountRef; token: string }
  /** Wrong username or wrong password: deliberately one outcome. */
  | { outcome: "failed" }
  | { outcome: "throttled"; retryAfterMs: number };

/** Password login, throttled per username and per address. */
export class PasswordLogin {
  private readonly byUsername: Throttle;
  private readonly byAddress: Throttle;

  constructor(
    private readonly accounts: Accounts,
    private readonly sessions: AuthSessions,
    now: () => number = Date.now,
  ) {
    this.byUsername = new Throttle(LOGIN_PER_USERNAME, now);
    this.byAddress = new Throttle(LOGIN_PER_ADDRESS, now);
  }

  async login(username: string, password: string, address: string): Promise<LoginResult> {
    // Throttled by the name as typed (normalised), whether or not it exists,
    // so the answer says nothing about which usernames are real.
    const userKey = username.trim().toLowerCase();
    const wait = Math.max(this.byUsername.waitMs(userKey), this.byAddress.waitMs(address));
    if (wait > 0) return { outcome: "throttled", retryAfterMs: wait };
    const account = await this.accounts.verify(username, password);
    if (!account) {
      this.byUsername.fail(userKey);
      this.byAddress.fail(address);
      return { outcome: "failed" };
    }
    // Only the name is forgiven: one valid login must not reset an address's count.
    this.byUsername.succeed(userKey);
    return { outcome: "signed-in", account, token: await this.sessions.create(account.id) };
  }

  /** Drops throttle entries old enough to be harmless (called by the retention job). */
  prune(): void {
    this.byUsername.prune();
    this.byAddress.prune();
  }
}
