import type { Store } from "../store/store";

/**
 * Everything stored about one organiser account (Art. 15 and 20 GDPR): the
 * account, its sign-in sessions, its rooms and their moderation events. These
 * are all tables with personal data; participants without an account leave
 * nothing stored but pseudonymous ids in audit events, which are exported
 * with the room they belong to. Secrets (password, token and room password
 * hashes) are reported as present, not copied.
 */
export async function exportSubject(store: Store, username: string): Promise<object | undefined> {
  const account = await store.accounts.findByUsername(username);
  if (!account) return undefined;
  const iso = (ms: number) => new Date(ms).toISOString();
  const rooms = await store.rooms.listByOwner(account.id);
  return {
    account: {
      username: account.username,
      kind: account.oidc ? "oidc" : "local",
      oidc: account.oidc,
      hasPassword: account.passwordHash !== null,
      createdAt: iso(account.createdAt),
    },
    sessions: (await store.accounts.sessionsOf(account.id)).map((s) => ({
      createdAt: iso(s.createdAt),
      expiresAt: iso(s.expiresAt),
    })),
    rooms: await Promise.all(
      rooms.map(async (r) => ({
        id: r.id,
        name: r.name,
        createdAt: iso(r.createdAt),
        lastUsedAt: iso(r.lastUsedAt),
        defaults: r.defaults,
        hasPassword: r.passwordHash !== null,
        events: (await store.rooms.events(r.id)).map((e) => ({ ...e, at: iso(e.at) })),
      })),
    ),
  };
}

/** Erases the account with its sessions, rooms and their events (Art. 17); false if unknown. */
export async function eraseSubject(store: Store, username: string): Promise<boolean> {
  const account = await store.accounts.findByUsername(username);
  if (!account) return false;
  await store.accounts.remove(account.id);
  return true;
}
