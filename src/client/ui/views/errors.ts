import { type MessageKey, t } from "../i18n";

const KNOWN = new Set<string>([
  "room-unavailable",
  "version-mismatch",
  "disconnected",
  "timeout",
  "rate-limited",
  "media-failed",
  "password-required",
  "wrong-password",
  "too-many-attempts",
  "chat-too-long",
  "chat-disabled",
  "chat-empty",
  "screen-share-busy",
  "e2ee-unsupported",
  "e2ee-not-ready",
  "e2ee-downgrade",
  "cluster-unavailable",
  "room-full",
  "lobby-full",
  "busy",
  "lobby-text-empty",
  "lobby-text-too-long",
  "too-many-connections",
]);

/** Codes that mean the same to a person: "the service is briefly unavailable". */
const SAME_AS: Record<string, string> = { "store-unavailable": "cluster-unavailable" };

/** The translated text for an error code from the server or the SDK. */
export function errorText(code: string): string {
  const known = SAME_AS[code] ?? code;
  return KNOWN.has(known) ? t(`error.${known}` as MessageKey) : t("error.default");
}
