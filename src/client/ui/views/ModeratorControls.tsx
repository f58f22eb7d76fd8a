import { useState } from "preact/hooks";
import type { Meeting, MeetingSnapshot } from "../../sdk/meeting";
import { t } from "../i18n";

/** Room-wide controls for moderators: lock, lobby, mute all, end for all. */
export function ModeratorControls({
  meeting,
  snapshot,
}: {
  meeting: Meeting;
  snapshot: MeetingSnapshot;
}) {
  const status = snapshot.status;
  if (status.status !== "joined" || status.self.role !== "moderator") return null;
  const { settings } = snapshot;
  const { moderation } = meeting;
  const end = () => {
    if (window.confirm(t("moderation.endConfirm"))) void moderation.endMeeting();
  };
  return (
    <section class="moderator-controls controls" aria-label={t("moderation.title")}>
      <button
        type="button"
        aria-pressed={status.locked}
        onClick={() => moderation.setLocked(!status.locked)}
      >
        {t("moderation.lock")}
      </button>
      <button
        type="button"
        aria-pressed={settings.lobby}
        onClick={() => moderation.updateSettings({ lobby: !settings.lobby })}
      >
        {t("moderation.lobby")}
      </button>
      <button
        type="button"
        aria-pressed={settings.chat}
        onClick={() => moderation.updateSettings({ chat: !settings.chat })}
      >
        {t("moderation.chat")}
      </button>
      <button
        type="button"
        aria-pressed={settings.multipleScreenShares}
        onClick={() =>
          moderation.updateSettings({ multipleScreenShares: !settings.multipleScreenShares })
        }
      >
        {t("moderation.multipleShares")}
      </button>
      <PasswordControl meeting={meeting} protectedNow={settings.password} />
      <button type="button" onClick={() => moderation.muteAll()}>
        {t("moderation.muteAll")}
      </button>
      <button type="button" class="danger" onClick={end}>
        {t("moderation.end")}
      </button>
    </section>
  );
}

/** Sets, changes or removes the meeting password (SPEC PW-1). */
function PasswordControl({ meeting, protectedNow }: { meeting: Meeting; protectedNow: boolean }) {
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState("");
  if (!open) {
    return (
      <button type="button" aria-pressed={protectedNow} onClick={() => setOpen(true)}>
        {t("moderation.password")}
      </button>
    );
  }
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!value) return;
    await meeting.moderation.setPassword(value);
    setValue("");
    setOpen(false);
  };
  return (
    <form class="password-form" onSubmit={submit}>
      <label for="new-room-password">{t("moderation.newPassword")}</label>
      <input
        id="new-room-password"
        type="password"
        autocomplete="new-password"
        value={value}
        onInput={(e) => setValue(e.currentTarget.value)}
      />
      <button type="submit" class="primary" disabled={!value}>
        {t("moderation.setPassword")}
      </button>
      {protectedNow && (
        <button
          type="button"
          onClick={async () => {
            await meeting.moderation.setPassword(null);
            setOpen(false);
          }}
        >
          {t("moderation.removePassword")}
        </button>
      )}
      <button type="button" onClick={() => setOpen(false)}>
        {t("moderation.cancel")}
      </button>
    </form>
  );
}
