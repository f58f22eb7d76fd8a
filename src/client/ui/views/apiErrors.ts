import { ApiError } from "../../sdk/organiser";
import { type MessageKey, t } from "../i18n";

const KNOWN = new Set<string>([
  "login-failed",
  "login-throttled",
  "oidc-failed",
  "oidc-not-allowed",
  "oidc-unavailable",
  "network",
]);

/** The translated text for a failed organiser request, or an error code from a redirect. */
export function apiErrorText(error: unknown): string {
  const code = error instanceof ApiError ? error.code : typeof error === "string" ? error : "";
  if (!KNOWN.has(code)) return t("error.default");
  const seconds = error instanceof ApiError ? String(error.retryAfter ?? 1) : "1";
  return t(`error.${code}` as MessageKey, { seconds });
}
