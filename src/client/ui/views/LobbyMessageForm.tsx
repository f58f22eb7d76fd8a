import { useState } from "preact/hooks";
import { MAX_LOBBY_TEXT } from "../../../protocol/lobby";
import type { Meeting } from "../../sdk/meeting";
import { RequestError } from "../../sdk/signalling";
import { t } from "../i18n";
import { errorText } from "./errors";

/** The code of a refused request, for the UI to translate. */
export function refusal(error: unknown): string {
  return error instanceof RequestError ? error.code : "default";
}

/**
 * For moderators: a short message to everyone waiting ("we start in five
 * minutes", SPEC LOBBY-4). Enter sends; the result or the refusal is read out.
 */
export function LobbyMessageForm({ meeting }: { meeting: Meeting }) {
  const [draft, setDraft] = useState("");
  const [outcome, setOutcome] = useState<{ text: string; error: boolean } | undefined>();
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      const { reached } = await meeting.moderation.messageLobby(draft);
      setDraft("");
      setOutcome({ text: t("lobby.messageSent", { count: String(reached) }), error: false });
    } catch (error) {
      setOutcome({ text: errorText(refusal(error)), error: true });
    }
  };
  return (
    <form class="lobby-message" onSubmit={submit}>
      <label for="lobby-message-input">{t("lobby.messageLabel")}</label>
      <input
        id="lobby-message-input"
        type="text"
        maxLength={MAX_LOBBY_TEXT}
        value={draft}
        aria-describedby="lobby-message-hint"
        onInput={(e) => setDraft(e.currentTarget.value)}
      />
      <p id="lobby-message-hint" class="muted">
        {t("lobby.messageHint", { max: String(MAX_LOBBY_TEXT) })}
      </p>
      <button type="submit" disabled={draft.trim() === ""}>
        {t("lobby.messageSend")}
      </button>
      <p class={outcome?.error ? "error" : "muted"} role="status">
        {outcome?.text ?? ""}
      </p>
    </form>
  );
}
