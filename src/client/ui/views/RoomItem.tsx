import { useEffect, useRef, useState } from "preact/hooks";
import { type OrganiserRoom, organiser } from "../../sdk/organiser";
import { t } from "../i18n";
import { CopyField } from "./CopyField";
import { RoomForm } from "./RoomForm";

/** One of the organiser's rooms: its links, its settings, and delete (after confirming). */
export function RoomItem({
  room,
  moderatorUrl,
  onModeratorUrl,
  onSaved,
  onDelete,
}: {
  room: OrganiserRoom;
  /** Known only right after creating the room or asking for a new one. */
  moderatorUrl: string | undefined;
  onModeratorUrl: (url: string) => void;
  onSaved: (room: OrganiserRoom) => void;
  onDelete: () => Promise<void>;
}) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  const titleId = `room-${room.id}-title`;
  const cancel = useRef<HTMLButtonElement>(null);
  const remove = useRef<HTMLButtonElement>(null);
  const wasConfirming = useRef(false);
  // Keyboard focus follows the question: onto its safe answer, and back to Delete when it goes.
  useEffect(() => {
    if (confirming) cancel.current?.focus();
    else if (wasConfirming.current) remove.current?.focus();
    wasConfirming.current = confirming;
  }, [confirming]);

  const act = async (action: () => Promise<void>) => {
    setBusy(true);
    setFailed(false);
    try {
      await action();
    } catch {
      setFailed(true);
    } finally {
      setBusy(false);
    }
  };

  const badges = [
    room.lobby && t("my.badge.lobby"),
    room.hasPassword && t("my.badge.password"),
    room.e2ee && t("my.badge.e2ee"),
    room.e2ee && room.postQuantum && t("my.badge.postQuantum"),
    room.chat && t("my.badge.chat"),
  ].filter(Boolean);

  return (
    <li class="room-item" aria-labelledby={titleId}>
      <h3 id={titleId}>{room.name}</h3>
      <p class="badges">{badges.join(" · ")}</p>
      <CopyField id={`room-${room.id}-link`} label={t("my.room.link")} value={room.url} />
      {moderatorUrl && (
        <CopyField
          id={`room-${room.id}-moderator`}
          label={t("my.room.moderatorLink")}
          value={moderatorUrl}
        />
      )}
      <div class="controls">
        <a class="button" href={room.url}>
          {t("my.room.open")}
        </a>
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            act(async () => onModeratorUrl((await organiser.newModeratorLink(room)).moderatorUrl))
          }
        >
          {t("my.room.newModeratorLink")}
        </button>
        <button type="button" aria-expanded={editing} onClick={() => setEditing(!editing)}>
          {t("my.room.edit")}
        </button>
        <button
          type="button"
          class="danger"
          ref={remove}
          disabled={confirming}
          onClick={() => setConfirming(true)}
        >
          {t("my.room.delete")}
        </button>
      </div>
      {editing && (
        <RoomForm
          idPrefix={`room-${room.id}-edit`}
          room={room}
          submitLabel={t("my.room.save")}
          busyLabel={t("my.room.saving")}
          failedText={t("my.room.saveFailed")}
          onSubmit={async (values) => {
            onSaved(await organiser.updateRoom(room.id, values));
            setEditing(false);
          }}
        />
      )}
      {confirming && (
        <fieldset class="confirm">
          <legend>{t("my.room.confirmDelete", { name: room.name })}</legend>
          <div class="controls">
            <button type="button" class="danger" disabled={busy} onClick={() => act(onDelete)}>
              {t("my.room.confirm")}
            </button>
            <button type="button" ref={cancel} onClick={() => setConfirming(false)}>
              {t("my.room.cancel")}
            </button>
          </div>
        </fieldset>
      )}
      {failed && (
        <p class="error" role="alert">
          {t("error.default")}
        </p>
      )}
    </li>
  );
}
