import { useState } from "preact/hooks";
import type { OrganiserRoom, RoomSettings } from "../../sdk/organiser";
import { t } from "../i18n";

const MAX_ROOM_NAME_LENGTH = 100;

export interface RoomFormValues extends RoomSettings {
  name: string;
  /** A new password; null removes it; absent leaves it as it is. */
  password?: string | null;
}

/**
 * A room's name and default settings, for a new room or an existing one
 * (`room`): then an empty password field keeps the password, and a box removes it.
 */
export function RoomForm({
  idPrefix,
  room,
  submitLabel,
  busyLabel,
  failedText,
  onSubmit,
}: {
  idPrefix: string;
  room?: OrganiserRoom;
  submitLabel: string;
  busyLabel: string;
  failedText: string;
  /** Resolves when done; the form then empties (new room). Rejects to show `failedText`. */
  onSubmit: (values: RoomFormValues) => Promise<void>;
}) {
  const [name, setName] = useState(room?.name ?? "");
  const [password, setPassword] = useState("");
  const [removePassword, setRemovePassword] = useState(false);
  const [settings, setSettings] = useState<RoomSettings>({
    lobby: room?.lobby ?? true,
    e2ee: room?.e2ee ?? true,
    chat: room?.chat ?? true,
    postQuantum: room?.postQuantum ?? false,
  });
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setFailed(false);
    try {
      const values: RoomFormValues = {
        name: name.trim(),
        ...settings,
        postQuantum: settings.e2ee && settings.postQuantum,
      };
      if (password) values.password = password;
      else if (removePassword) values.password = null;
      await onSubmit(values);
      if (!room) setName("");
      setPassword("");
    } catch {
      setFailed(true);
    } finally {
      setBusy(false);
    }
  };

  const toggle = (key: keyof RoomSettings, label: string, disabled = false) => (
    <label class="check">
      <input
        type="checkbox"
        checked={settings[key] && !disabled}
        disabled={disabled}
        onChange={(e) => setSettings({ ...settings, [key]: e.currentTarget.checked })}
      />
      {label}
    </label>
  );

  return (
    <form onSubmit={submit}>
      <label for={`${idPrefix}-name`}>{t("my.create.name")}</label>
      <input
        id={`${idPrefix}-name`}
        value={name}
        required
        maxLength={MAX_ROOM_NAME_LENGTH}
        onInput={(e) => setName(e.currentTarget.value)}
      />
      {toggle("lobby", t("my.create.lobby"))}
      {toggle("e2ee", t("my.create.e2ee"))}
      {toggle("postQuantum", t("my.create.postQuantum"), !settings.e2ee)}
      {toggle("chat", t("my.create.chat"))}
      <label for={`${idPrefix}-password`}>
        {room ? t("my.room.newPassword") : t("my.create.password")}
      </label>
      <input
        id={`${idPrefix}-password`}
        type="password"
        value={password}
        minLength={4}
        maxLength={128}
        autocomplete="new-password"
        onInput={(e) => setPassword(e.currentTarget.value)}
      />
      {room?.hasPassword && (
        <label class="check">
          <input
            type="checkbox"
            checked={removePassword}
            disabled={password !== ""}
            onChange={(e) => setRemovePassword(e.currentTarget.checked)}
          />
          {t("my.room.removePassword")}
        </label>
      )}
      {failed && (
        <p class="error" role="alert">
          {failedText}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy || !name.trim()}>
        {busy ? busyLabel : submitLabel}
      </button>
    </form>
  );
}
