import type { LobbyMessage } from "../../sdk/meeting-types";
import { language, t } from "../i18n";
import { PrivacyLink } from "./PrivacyLink";

/**
 * Waiting to be let in. Nothing of the meeting is shown here, because nothing
 * of it is known; only what moderators chose to tell those waiting (SPEC LOBBY-4).
 */
export function LobbyWait({
  onLeave,
  messages,
}: {
  onLeave: () => void;
  messages: LobbyMessage[];
}) {
  const time = new Intl.DateTimeFormat(language.value, { hour: "2-digit", minute: "2-digit" });
  return (
    <main class="lobby-wait">
      <h1>{t("lobby.waitTitle")}</h1>
      <p role="status">{t("lobby.wait")}</p>
      {/* The log role makes a new message heard; its text is plain text, rendered as text. */}
      <section class="lobby-messages" role="log" aria-label={t("lobby.messagesTitle")}>
        {messages.length > 0 && <h2>{t("lobby.messagesTitle")}</h2>}
        <ol>
          {messages.map((m, i) => (
            <li key={`${m.at}-${i}`}>
              <time dateTime={new Date(m.at).toISOString()}>{time.format(m.at)}</time>{" "}
              <span class="text">{m.text}</span>
            </li>
          ))}
        </ol>
      </section>
      <div class="spinner" aria-hidden="true" />
      <button type="button" onClick={onLeave}>
        {t("lobby.cancel")}
      </button>
      <PrivacyLink />
    </main>
  );
}
