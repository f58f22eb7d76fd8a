import { t } from "../i18n";
import { PrivacyLink } from "./PrivacyLink";

/** Waiting to be let in. Nothing of the meeting is shown here, because nothing of it is known. */
export function LobbyWait({ onLeave }: { onLeave: () => void }) {
  return (
    <main class="lobby-wait">
      <h1>{t("lobby.waitTitle")}</h1>
      <p role="status">{t("lobby.wait")}</p>
      <div class="spinner" aria-hidden="true" />
      <button type="button" onClick={onLeave}>
        {t("lobby.cancel")}
      </button>
      <PrivacyLink />
    </main>
  );
}
