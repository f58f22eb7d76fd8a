import { useMemo, useState } from "preact/hooks";
import { MAX_NAME_LENGTH } from "../../../protocol/messages";
import { browserSupported } from "../../sdk/devices";
import type { Meeting, MeetingSnapshot } from "../../sdk/meeting";
import { t } from "../i18n";
import { DeviceSettings } from "./DeviceSettings";
import { DeviceProblem, DeviceToggles } from "./DeviceToggles";
import { errorText } from "./errors";
import { LevelMeter } from "./LevelMeter";
import { PrivacyLink } from "./PrivacyLink";
import { VideoView } from "./VideoView";

const NAME_KEY = "plenum.name";

/**
 * Before joining: a name, the devices (off until switched on: nothing is
 * captured before the person acts), a preview, a level meter, and Join.
 */
export function PreJoin({
  meeting,
  snapshot,
  onJoin,
}: {
  meeting: Meeting;
  snapshot: MeetingSnapshot;
  onJoin: (name: string, password?: string) => void;
}) {
  const [name, setName] = useState(() => localStorage.getItem(NAME_KEY) ?? "");
  const [password, setPassword] = useState("");
  const failed = snapshot.status.status === "failed" ? snapshot.status.code : undefined;
  const needsPassword =
    failed === "password-required" || failed === "wrong-password" || failed === "too-many-attempts";
  const [supported] = useState(browserSupported);
  const joining = snapshot.status.status === "joining";
  const preview = useMemo(
    () => (snapshot.local.video ? new MediaStream([snapshot.local.video]) : undefined),
    [snapshot.local.video],
  );
  const submit = (e: Event) => {
    e.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return;
    // Remembered on this device only, never sent anywhere but the meeting.
    localStorage.setItem(NAME_KEY, trimmed);
    onJoin(trimmed, needsPassword ? password : undefined);
  };
  if (!supported) {
    return (
      <main class="prejoin">
        <h1>{t("prejoin.title")}</h1>
        <p class="error" role="alert">
          {t("prejoin.unsupported")}
        </p>
        <PrivacyLink />
      </main>
    );
  }
  return (
    <main class="prejoin">
      <h1>{t("prejoin.title")}</h1>
      <div class="preview">
        {preview ? (
          <VideoView stream={preview} muted label={t("prejoin.preview")} className="mirror" />
        ) : (
          <p class="devices-off">
            {snapshot.local.audio ? t("prejoin.cameraOff") : t("prejoin.devicesOff")}
          </p>
        )}
      </div>
      <form onSubmit={submit}>
        <label for="display-name">{t("prejoin.name")}</label>
        <input
          id="display-name"
          value={name}
          maxLength={MAX_NAME_LENGTH}
          required
          autocomplete="name"
          onInput={(e) => setName(e.currentTarget.value)}
        />
        {needsPassword && (
          <>
            <label for="room-password">{t("prejoin.password")}</label>
            <input
              id="room-password"
              type="password"
              value={password}
              autocomplete="off"
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </>
        )}
        <div class="controls">
          <DeviceToggles meeting={meeting} snapshot={snapshot} />
        </div>
        {snapshot.local.audio && <LevelMeter meeting={meeting} />}
        <DeviceSettings meeting={meeting} snapshot={snapshot} />
        <DeviceProblem snapshot={snapshot} />
        {snapshot.status.status === "failed" && (
          <p class="error" role="alert">
            {errorText(snapshot.status.code)}
          </p>
        )}
        <button type="submit" class="primary" disabled={joining || !name.trim()}>
          {joining ? t("prejoin.joining") : t("prejoin.join")}
        </button>
      </form>
      <PrivacyLink />
    </main>
  );
}
