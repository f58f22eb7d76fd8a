import { randomBytes } from "node:crypto";
import type { AccountRef } from "../auth/account";
import { hashPassword, verifyPassword } from "../auth/passwords";
import type { StoredAccount } from "../store/accounts";
import type { Store } from "../store/store";
import { Username, usernameFrom } from "./username";

/** An account command failed for a reason the person can fix; `code` is stable. */
export class AccountError extends Error {
  constructor(
    readonly code:
      | "invalid-username"
      | "username-taken"
      | "no-such-user"
      | "weak-password"
      | "oidc-account",
    message: string,
  ) {
    super(message);
    this.name = "AccountError";
  }
}

/** Long enough to resist guessing once the login throttle applies; length beats rules. */
export const MIN_PASSWORD_LENGTH = 10;
/** argon2 hashes any length, but a megabyte "password" is a denial of service. */
export const MAX_PASSWORD_LENGTH = 1024;

/** Organiser accounts: local ones with a password, OIDC ones created at first login. */
export class Accounts {
  /**
   * A hash of nothing anyone knows, verified when the username does not
   * exist, so that a wrong username takes as long as a wrong password.
   */
  private decoy: Promise<string> | undefined;

  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  async addLocal(username: string, password: string): Promise<AccountRef> {
    const name = parseUsername(username);
    checkPassword(password);
    if (await this.store.accounts.findByUsername(name))
      throw new AccountError("username-taken", `The username "${name}" is already taken.`);
    const account: StoredAccount = {
      id: newAccountId(),
      username: name,
      passwordHash: await hashPassword(password),
      oidc: null,
      createdAt: this.now(),
    };
    await this.store.accounts.create(account);
    return { id: account.id, username: name };
  }

  async setPassword(username: string, password: string): Promise<void> {
    checkPassword(password);
    const account = await this.existing(username);
    // A second way in that the organisation's provider does not control would defeat it.
    if (account.oidc)
      throw new AccountError(
        "oidc-account",
        `"${account.username}" signs in through the organisation's provider and has no password here.`,
      );
    await this.store.accounts.setPasswordHash(account.id, await hashPassword(password));
  }

  async remove(username: string): Promise<void> {
    const account = await this.existing(username);
    await this.store.accounts.remove(account.id);
  }

  list(): Promise<StoredAccount[]> {
    return this.store.accounts.list();
  }

  /** The account if `password` is its password; undefined for a wrong name or password alike. */
  async verify(username: string, password: string): Promise<AccountRef | undefined> {
    const parsed = Username.safeParse(username);
    const account = parsed.success
      ? await this.store.accounts.findByUsername(parsed.data)
      : undefined;
    if (!account?.passwordHash) {
      this.decoy ??= hashPassword(randomBytes(16).toString("base64url"));
      await verifyPassword(await this.decoy, password);
      return undefined;
    }
    if (!(await verifyPassword(account.passwordHash, password))) return undefined;
    return { id: account.id, username: account.username };
  }

  /**
   * The account an identity provider vouches for, created at first login with
   * a username from its suggestion; a taken name gets a number, so an OIDC
   * login can never take over a local account of the same name.
   */
  async fromOidc(issuer: string, subject: string, suggestion: string): Promise<AccountRef> {
    const known = await this.store.accounts.findByOidc(issuer, subject);
    if (known) return { id: known.id, username: known.username };
    const base = usernameFrom(suggestion);
    let username = base;
    for (let n = 2; await this.store.accounts.findByUsername(username); n++) {
      username = `${base}-${n}`;
    }
    const account: StoredAccount = {
      id: newAccountId(),
      username,
      passwordHash: null,
      oidc: { issuer, subject },
      createdAt: this.now(),
    };
    await this.store.accounts.create(account);
    return { id: account.id, username };
  }

  private async existing(username: string): Promise<StoredAccount> {
    const name = parseUsername(username);
    const account = await this.store.accounts.findByUsername(name);
    if (!account) throw new AccountError("no-such-user", `There is no user "${name}".`);
    return account;
  }
}

function parseUsername(username: string): string {
  const parsed = Username.safeParse(username);
  if (!parsed.success)
    throw new AccountError(
      "invalid-username",
      `Invalid username: ${parsed.error.issues[0]?.message ?? "not allowed"}.`,
    );
  return parsed.data;
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH)
    throw new AccountError(
      "weak-password",
      `The password must have ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters.`,
    );
}

function newAccountId(): string {
  return randomBytes(16).toString("base64url");
}
