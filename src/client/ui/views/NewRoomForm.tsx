import { useState } from "preact/hooks";
import { type NewRoom, type OrganiserRoom, organiser } from "../../sdk/organiser";
import { t } from "../i18n";

const MAX_ROOM_NAME_LENGTH = 100;

/** Creates a persistent room with a name and its default settings. */
export function NewRoomForm({
  onCreated,
}: {
  onCreated: (room: OrganiserRoom & { moderatorUrl: string }) => void;
}) {
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [settings, setSettings] = useState({ lobby: true, e2ee: true, chat: true });
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setFailed(false);
    try {
      const room: NewRoom = { name: name.trim(), ...settings };
      if (password) room.password = password;
      onCreated(await organiser.createRoom(room));
      setName("");
      setPassword("");
    } catch {
      setFailed(true);
    } finally {
      setBusy(false);
    }
  };

  const toggle = (key: keyof typeof settings, label: string) => (
    <label class="check">
      <input
        type="checkbox"
        checked={settings[key]}
        onChange={(e) => setSettings({ ...settings, [key]: e.currentTarget.checked })}
      />
      {label}
    </label>
  );

  return (
    <section aria-labelledby="new-room-title">
      <h2 id="new-room-title">{t("my.create.title")}</h2>
      <form onSubmit={submit}>
        <label for="room-name">{t("my.create.name")}</label>
        <input
          id="room-name"
          value={name}
          required
          maxLength={MAX_ROOM_NAME_LENGTH}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        {toggle("lobby", t("my.create.lobby"))}
        {toggle("e2ee", t("my.create.e2ee"))}
        {toggle("chat", t("my.create.chat"))}
        <label for="room-password">{t("my.create.password")}</label>
        <input
          id="room-password"
          type="password"
          value={password}
          minLength={4}
          maxLength={128}
          autocomplete="new-password"
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        {failed && (
          <p class="error" role="alert">
            {t("my.create.failed")}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy || !name.trim()}>
          {busy ? t("my.create.creating") : t("my.create.submit")}
        </button>
      </form>
    </section>
  );
}
