import type { Meeting, MeetingSnapshot } from "../../sdk/meeting";
import { t } from "../i18n";

/**
 * The microphone and camera switches: toggle buttons named for the device,
 * whose aria-pressed says whether it is on.
 */
export function DeviceToggles({
  meeting,
  snapshot,
}: {
  meeting: Meeting;
  snapshot: MeetingSnapshot;
}) {
  const mic = snapshot.local.audio !== undefined;
  const cam = snapshot.local.video !== undefined;
  return (
    <>
      <button
        type="button"
        class={`toggle ${mic ? "on" : "off"}`}
        aria-pressed={mic}
        aria-keyshortcuts="M"
        onClick={() => meeting.setDevice("audio", !mic)}
      >
        <span class="dot" aria-hidden="true" />
        {t("device.microphone")}
      </button>
      <button
        type="button"
        class={`toggle ${cam ? "on" : "off"}`}
        aria-pressed={cam}
        aria-keyshortcuts="V"
        onClick={() => meeting.setDevice("video", !cam)}
      >
        <span class="dot" aria-hidden="true" />
        {t("device.camera")}
      </button>
    </>
  );
}

/** The last device problem, explained. */
export function DeviceProblem({ snapshot }: { snapshot: MeetingSnapshot }) {
  const error = snapshot.deviceError;
  if (!error) return null;
  const device = t(
    error.kind === "audio"
      ? "device.micNoun"
      : error.kind === "video"
        ? "device.cameraNoun"
        : "device.screen",
  );
  return (
    <p class="error" role="alert">
      {t(`device.${error.problem}`, { device })}
    </p>
  );
}
