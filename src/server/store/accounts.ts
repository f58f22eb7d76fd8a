import type { Kysely, Selectable } from "kysely";
import type { AccountTable, Database } from "./schema";

export interface StoredAccount {
  id: string;
  username: string;
  /** argon2id hash; null for an account that signs in through OIDC. */
  passwordHash: string | null;
  oidc: { issuer: string; subject: string } | null;
  createdAt: number;
}

export interface StoredSession {
  accountId: string;
  expiresAt: number;
}

/** Organiser accounts and their sign-in sessions. */
export class AccountStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(account: StoredAccount): Promise<void> {
    await this.db
      .insertInto("accounts")
      .values({
        id: account.id,
        username: account.username,
        password_hash: account.passwordHash,
        oidc_issuer: account.oidc?.issuer ?? null,
        oidc_subject: account.oidc?.subject ?? null,
        created_at: account.createdAt,
      })
      .execute();
  }

  async findByUsername(username: string): Promise<StoredAccount | undefined> {
    const row = await this.db
      .selectFrom("accounts")
      .selectAll()
      .where("username", "=", username)
      .executeTakeFirst();
    return row && toAccount(row);
  }

  async findById(id: string): Promise<StoredAccount | undefined> {
    const row = await this.db
      .selectFrom("accounts")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    return row && toAccount(row);
  }

  async findByOidc(issuer: string, subject: string): Promise<StoredAccount | undefined> {
    const row = await this.db
      .selectFrom("accounts")
      .selectAll()
      .where("oidc_issuer", "=", issuer)
      .where("oidc_subject", "=", subject)
      .executeTakeFirst();
    return row && toAccount(row);
  }

  async list(): Promise<StoredAccount[]> {
    const rows = await this.db.selectFrom("accounts").selectAll().orderBy("username").execute();
    return rows.map(toAccount);
  }

  /** Sets a new password hash and signs the account out everywhere. */
  async setPasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable("accounts")
        .set({ password_hash: passwordHash })
        .where("id", "=", id)
        .execute();
      await tx.deleteFrom("auth_sessions").where("account_id", "=", id).execute();
    });
  }

  /**
   * Removes the account with everything that is its: sessions, rooms and the
   * rooms' audit events. Nothing about a removed organiser is kept.
   */
  async remove(id: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const owned = tx.selectFrom("rooms").select("id").where("owner_account_id", "=", id);
      await tx.deleteFrom("room_events").where("room_id", "in", owned).execute();
      await tx.deleteFrom("rooms").where("owner_account_id", "=", id).execute();
      await tx.deleteFrom("auth_sessions").where("account_id", "=", id).execute();
      await tx.deleteFrom("accounts").where("id", "=", id).execute();
    });
  }

  async createSession(
    tokenHash: string,
    accountId: string,
    createdAt: number,
    expiresAt: number,
  ): Promise<void> {
    await this.db
      .insertInto("auth_sessions")
      .values({
        token_hash: tokenHash,
        account_id: accountId,
        created_at: createdAt,
        expires_at: expiresAt,
      })
      .execute();
  }

  async findSession(tokenHash: string): Promise<StoredSession | undefined> {
    const row = await this.db
      .selectFrom("auth_sessions")
      .select(["account_id", "expires_at"])
      .where("token_hash", "=", tokenHash)
      .executeTakeFirst();
    return row && { accountId: row.account_id, expiresAt: Number(row.expires_at) };
  }

  /** An account's sign-in sessions, without their token hashes (for a subject access export). */
  async sessionsOf(accountId: string): Promise<{ createdAt: number; expiresAt: number }[]> {
    const rows = await this.db
      .selectFrom("auth_sessions")
      .select(["created_at", "expires_at"])
      .where("account_id", "=", accountId)
      .orderBy("created_at")
      .execute();
    return rows.map((r) => ({ createdAt: Number(r.created_at), expiresAt: Number(r.expires_at) }));
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.deleteFrom("auth_sessions").where("token_hash", "=", tokenHash).execute();
  }

  /** Retention: sessions that expired at or before `now` go; returns how many. */
  async deleteExpiredSessions(now: number): Promise<number> {
    const result = await this.db
      .deleteFrom("auth_sessions")
      .where("expires_at", "<=", now)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function toAccount(row: Selectable<AccountTable>): StoredAccount {
  return {
    id: row.id,
    username: row.username,
    passwordHash: row.password_hash,
    oidc:
      row.oidc_issuer !== null && row.oidc_subject !== null
        ? { issuer: row.oidc_issuer, subject: row.oidc_subject }
        : null,
    createdAt: Number(row.created_at),
  };
}
