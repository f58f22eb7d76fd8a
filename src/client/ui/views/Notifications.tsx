import { useEffect, useState } from "preact/hooks";
import type { REACTIONS } from "../../../protocol/messages";
import type { Meeting, Notice } from "../../sdk/meeting";
import { type MessageKey, t } from "../i18n";

/** How long a notice or a reaction stays on screen. */
const SHOW_MS = 4000;

interface Shown {
  id: number;
  text: string;
  emoji?: string;
}

let nextId = 0;

/**
 * Joins, leaves, raised hands and reactions: shown briefly on screen and
 * announced through a polite live region, so screen reader users hear them
 * without losing their place.
 */
export function Notifications({ meeting }: { meeting: Meeting }) {
  const [shown, setShown] = useState<Shown[]>([]);
  useEffect(() => {
    const add = (item: Omit<Shown, "id">) => {
      const entry = { ...item, id: nextId++ };
      setShown((list) => [...list.slice(-4), entry]);
      setTimeout(() => setShown((list) => list.filter((x) => x !== entry)), SHOW_MS);
    };
    const offNotice = meeting.events.on("notice", (n: Notice) =>
      add({ text: t(`notice.${n.kind}`, { name: n.name }) }),
    );
    const offReaction = meeting.events.on("reaction", (r) =>
      add({
        emoji: r.emoji,
        text: t("notice.reaction", { name: r.name, reaction: reactionName(r.emoji) }),
      }),
    );
    return () => {
      offNotice();
      offReaction();
    };
  }, [meeting]);
  return (
    <div class="notifications" role="status" aria-live="polite">
      {shown.map((n) => (
        <p key={n.id} class={n.emoji ? "notice reaction" : "notice"}>
          {n.emoji && (
            <span class="emoji" aria-hidden="true">
              {n.emoji}
            </span>
          )}
          {n.text}
        </p>
      ))}
    </div>
  );
}

export function reactionName(emoji: (typeof REACTIONS)[number]): string {
  return t(`reaction.${emoji}` as MessageKey);
}
