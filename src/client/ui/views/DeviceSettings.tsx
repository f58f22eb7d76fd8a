import type { DeviceInfo } from "../../sdk/devices";
import type { Meeting, MeetingSnapshot } from "../../sdk/meeting";
import type { DeviceRole } from "../../sdk/preferences";
import { type MessageKey, t } from "../i18n";

const ROLES: { role: DeviceRole; list: "microphones" | "cameras" | "speakers"; key: MessageKey }[] =
  [
    { role: "microphone", list: "microphones", key: "device.microphone" },
    { role: "camera", list: "cameras", key: "device.camera" },
    { role: "speaker", list: "speakers", key: "device.speaker" },
  ];

/**
 * Choice of microphone, camera and speaker. Browsers name devices only after
 * one was allowed, so the lists appear once a device is on. The choice is
 * remembered in this browser and applied at once, without rejoining.
 */
export function DeviceSettings({
  meeting,
  snapshot,
}: {
  meeting: Meeting;
  snapshot: MeetingSnapshot;
}) {
  const rows = ROLES.filter((r) => snapshot.devices[r.list].length > 0);
  if (rows.length === 0) return null;
  return (
    <fieldset class="device-settings">
      <legend>{t("prejoin.devices")}</legend>
      {rows.map(({ role, list, key }) => (
        <div class="field" key={role}>
          <label for={`device-${role}`}>{t(key)}</label>
          <select
            id={`device-${role}`}
            value={snapshot.choices[role] ?? currentId(snapshot, role)}
            onChange={(e) => void meeting.chooseDevice(role, e.currentTarget.value)}
          >
            {snapshot.devices[list].map((d, i) => (
              <option key={d.deviceId} value={d.deviceId}>
                {labelOf(d, key, i)}
              </option>
            ))}
          </select>
        </div>
      ))}
    </fieldset>
  );
}

function currentId(snapshot: MeetingSnapshot, role: DeviceRole): string | undefined {
  const track = role === "microphone" ? snapshot.local.audio : snapshot.local.video;
  return role === "speaker" ? undefined : track?.getSettings().deviceId;
}

function labelOf(d: DeviceInfo, key: MessageKey, i: number): string {
  return d.label || t("device.default", { device: t(key), n: String(i + 1) });
}
