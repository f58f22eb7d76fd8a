import type { AccountRef, Authenticate } from "../auth/account";
import type { Config } from "../config/config";
import type { Store } from "../store/store";
import { Accounts } from "./accounts";
import { isAdmin } from "./admins";
import { cookieAuthenticator } from "./authenticate";
import { needsSecureCookies } from "./cookie";
import { PasswordLogin } from "./login";
import { OidcLogin } from "./oidc";
import { AuthSessions } from "./sessions";

/** Everything about organisers that the HTTP routes and the WebSocket need. */
export interface AccountServices {
  accounts: Accounts;
  sessions: AuthSessions;
  login: PasswordLogin;
  /** Undefined when no OIDC provider is configured. */
  oidc: OidcLogin | undefined;
  /** Cookie to organiser, for routes and the WebSocket upgrade alike. */
  authenticate: Authenticate;
  secureCookies: boolean;
  /** Whether a signed-in organiser is an administrator (PLENUM_ADMINS, SPEC OIDC-2). */
  isAdmin(account: AccountRef): Promise<boolean>;
}

export function accountServices(
  store: Store,
  config: Pick<Config, "publicUrl" | "sessionHours" | "oidc" | "admins">,
  publicUrl: () => string,
  now: () => number = Date.now,
): AccountServices {
  const accounts = new Accounts(store, now);
  const sessions = new AuthSessions(store, config.sessionHours, now);
  return {
    accounts,
    sessions,
    login: new PasswordLogin(accounts, sessions, now),
    oidc:
      config.oidc && new OidcLogin(config.oidc, () => `${publicUrl()}/api/auth/oidc/callback`, now),
    authenticate: cookieAuthenticator(sessions),
    secureCookies: needsSecureCookies(config.publicUrl),
    async isAdmin(account) {
      if (config.admins.length === 0) return false;
      const stored = await store.accounts.findById(account.id);
      return stored !== undefined && isAdmin(config.admins, stored);
    },
  };
}
