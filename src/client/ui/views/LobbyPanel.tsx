import { useEffect, useRef } from "preact/hooks";
import type { Waiter } from "../../../protocol/messages";
import type { Meeting } from "../../sdk/meeting";
import { t } from "../i18n";
import { chime } from "./chime";

/**
 * For moderators: who waits in the lobby, with admit and deny. A newcomer is
 * announced three ways (SPEC LOBBY-3): a chime, the highlighted panel, and
 * the screen reader's live region.
 */
export function LobbyPanel({ meeting, waiting }: { meeting: Meeting; waiting: Waiter[] }) {
  const seen = useRef(new Set<string>());
  const newest = waiting.filter((w) => !seen.current.has(w.id));
  useEffect(() => {
    if (newest.length > 0) chime();
    for (const w of waiting) seen.current.add(w.id);
  }, [waiting]);
  if (waiting.length === 0) return null;
  return (
    <section class="lobby-panel" aria-labelledby="lobby-heading">
      <h2 id="lobby-heading">{t("lobby.panelTitle", { count: String(waiting.length) })}</h2>
      <p class="visually-hidden" aria-live="assertive">
        {newest.map((w) => t("lobby.knocked", { name: w.name })).join(" ")}
      </p>
      <ul>
        {waiting.map((w) => (
          <li key={w.id}>
            <span class="name">{w.name}</span>
            <button type="button" class="primary" onClick={() => meeting.moderation.admit(w.id)}>
              {t("lobby.admit")}
              <span class="visually-hidden"> {w.name}</span>
            </button>
            <button type="button" onClick={() => meeting.moderation.deny(w.id)}>
              {t("lobby.deny")}
              <span class="visually-hidden"> {w.name}</span>
            </button>
          </li>
        ))}
      </ul>
      {waiting.length > 1 && (
        <button type="button" onClick={() => meeting.moderation.admitAll()}>
          {t("lobby.admitAll")}
        </button>
      )}
    </section>
  );
}
