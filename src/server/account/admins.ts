import type { StoredAccount } from "../store/accounts";

/**
 * Whether an account is listed in `PLENUM_ADMINS` (SPEC OIDC-2). A plain
 * username names a local account only; an account from the identity provider
 * is named by `issuer#subject`, the identity the provider vouches for. A
 * username suggested by the provider (preferred_username) is neither unique
 * nor fixed there, so anyone who picked an administrator's name could
 * otherwise squat the role. An issuer never holds `#` (OpenID Connect
 * Discovery forbids a fragment), so the first `#` splits the entry.
 */
export function isAdmin(
  admins: readonly string[],
  account: Pick<StoredAccount, "username" | "oidc">,
): boolean {
  const { oidc } = account;
  if (!oidc) return admins.includes(account.username);
  return admins.some((entry) => {
    const at = entry.indexOf("#");
    return at > 0 && entry.slice(0, at) === oidc.issuer && entry.slice(at + 1) === oidc.subject;
  });
}
