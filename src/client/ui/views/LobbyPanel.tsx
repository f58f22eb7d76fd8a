import { useEffect, useRef, useState } from "preact/hooks";
import type { Waiter } from "../../../protocol/messages";
import type { Meeting } from "../../sdk/meeting";
import { t } from "../i18n";
import { chime } from "./chime";
import { DenyWithReason } from "./DenyWithReason";
import { errorText } from "./errors";
import { LobbyMessageForm, refusal } from "./LobbyMessageForm";

/**
 * For moderators: who waits in the lobby, with admit and deny. A newcomer is
 * announced three ways (SPEC LOBBY-3): a chime, the highlighted panel, and
 * the screen reader's live region. What the server noticed about a knock
 * (SPEC KICK-2, NAME-3, RES-1) is shown beside the name, for the moderator to weigh.
 * A refusal (the meeting is full, SPEC LIMIT-1) is shown and read out.
 */
export function LobbyPanel({ meeting, waiting }: { meeting: Meeting; waiting: Waiter[] }) {
  const seen = useRef(new Set<string>());
  const newest = waiting.filter((w) => !seen.current.has(w.id));
  const [problem, setProblem] = useState<string | undefined>();
  const run = (action: () => Promise<unknown>) => {
    setProblem(undefined);
    Promise.resolve()
      .then(action)
      .catch((error) => setProblem(errorText(refusal(error))));
  };
  useEffect(() => {
    if (newest.length > 0) chime();
    for (const w of waiting) seen.current.add(w.id);
  }, [waiting]);
  if (waiting.length === 0) return null;
  return (
    <section class="lobby-panel" aria-labelledby="lobby-heading">
      <h2 id="lobby-heading">{t("lobby.panelTitle", { count: String(waiting.length) })}</h2>
      <p class="visually-hidden" aria-live="assertive">
        {newest
          .map((w) =>
            [
              t("lobby.knocked", { name: w.name }),
              ...(w.flags ?? []).map((f) => t(`lobby.flag.${f}`)),
            ].join(" "),
          )
          .join(" ")}
      </p>
      <ul>
        {waiting.map((w) => (
          <li key={w.id}>
            <span class="name">{w.name}</span>
            {(w.flags ?? []).map((flag) => (
              <span key={flag} class={`waiter-flag ${flag}`}>
                {t(`lobby.flag.${flag}`)}
              </span>
            ))}
            <button
              type="button"
              class="primary"
              onClick={() => run(() => meeting.moderation.admit(w.id))}
            >
              {t("lobby.admit")}
              <span class="visually-hidden"> {w.name}</span>
            </button>
            <button type="button" onClick={() => run(() => meeting.moderation.deny(w.id))}>
              {t("lobby.deny")}
              <span class="visually-hidden"> {w.name}</span>
            </button>
            <DenyWithReason meeting={meeting} waiter={w} />
          </li>
        ))}
      </ul>
      {waiting.length > 1 && (
        <button type="button" onClick={() => run(() => meeting.moderation.admitAll())}>
          {t("lobby.admitAll")}
        </button>
      )}
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      <LobbyMessageForm meeting={meeting} />
    </section>
  );
}
