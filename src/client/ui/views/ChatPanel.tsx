import { useEffect, useRef, useState } from "preact/hooks";
import { MAX_CHAT_LENGTH } from "../../../protocol/messages";
import type { Meeting, MeetingSnapshot } from "../../sdk/meeting";
import { language, t } from "../i18n";
import { errorText } from "./errors";

/** Show the remaining characters once the limit is this close. */
const WARN_REMAINING = 200;

/**
 * The chat: messages as plain text (Preact renders strings as text nodes, so
 * markup in a message stays visible characters and nothing in it runs; no
 * link previews, no images), and a field with the length limit explained.
 */
export function ChatPanel({ meeting, snapshot }: { meeting: Meeting; snapshot: MeetingSnapshot }) {
  const [draft, setDraft] = useState("");
  const [error, setError] = useState<string | undefined>();
  const log = useRef<HTMLDivElement>(null);
  const length = [...draft.trim()].length;
  const tooLong = length > MAX_CHAT_LENGTH;
  useEffect(() => {
    const el = log.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [snapshot.chat.length]);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (tooLong || length === 0) return;
    const result = await meeting.actions.sendChat(draft);
    if (result.ok) {
      setDraft("");
      setError(undefined);
    } else setError(errorText(result.code));
  };
  const time = new Intl.DateTimeFormat(language.value, { hour: "2-digit", minute: "2-digit" });
  return (
    <div class="chat">
      {snapshot.chat.length === 0 ? (
        <p class="muted">{t("chat.empty")}</p>
      ) : (
        // The log role makes new messages heard; the list inside keeps list semantics.
        <div class="log" ref={log} role="log" aria-label={t("chat.title")}>
          <ol class="messages">
            {snapshot.chat.map((m) => (
              <li key={m.seq} class={m.own ? "own" : undefined}>
                <span class="from">{m.own ? t("chat.you") : m.name}</span>{" "}
                <time dateTime={new Date(m.at).toISOString()}>{time.format(m.at)}</time>
                <p class="text">{m.text}</p>
              </li>
            ))}
          </ol>
        </div>
      )}
      {!snapshot.settings.chat ? (
        <p class="muted">{t("error.chat-disabled")}</p>
      ) : (
        <form onSubmit={submit}>
          <label for="chat-input">{t("chat.label")}</label>
          <textarea
            id="chat-input"
            rows={2}
            value={draft}
            aria-invalid={tooLong}
            aria-describedby="chat-hint"
            onInput={(e) => setDraft(e.currentTarget.value)}
            onKeyDown={(e) => {
              // Enter sends, Shift+Enter starts a new line, as in every chat.
              if (e.key === "Enter" && !e.shiftKey && !e.isComposing) void submit(e);
            }}
          />
          <p id="chat-hint" class={tooLong ? "error" : "muted"} aria-live="polite">
            {tooLong
              ? t("chat.tooLong", { count: String(length), max: String(MAX_CHAT_LENGTH) })
              : MAX_CHAT_LENGTH - length <= WARN_REMAINING
                ? t("chat.remaining", { count: String(MAX_CHAT_LENGTH - length) })
                : ""}
          </p>
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" class="primary" disabled={tooLong || length === 0}>
            {t("chat.send")}
          </button>
        </form>
      )}
    </div>
  );
}
