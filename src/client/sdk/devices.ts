/** Why a device could not be opened, in words the UI can translate. */
export type DeviceProblem =
  | "permission-denied"
  | "no-device"
  | "device-in-use"
  | "unsupported"
  | "unknown";

export class DeviceError extends Error {
  constructor(
    readonly problem: DeviceProblem,
    readonly kind: "audio" | "video" | "screen",
  ) {
    super(`${kind}: ${problem}`);
    this.name = "DeviceError";
  }
}

/**
 * Opens the camera or the microphone. Only ever called because the person
 * switched it on: nothing is captured before they act (COMPLIANCE T8).
 */
export async function openDevice(
  kind: "audio" | "video",
  deviceId?: string,
): Promise<MediaStreamTrack> {
  if (!navigator.mediaDevices?.getUserMedia) throw new DeviceError("unsupported", kind);
  const constraints: MediaTrackConstraints = deviceId ? { deviceId: { exact: deviceId } } : {};
  if (kind === "video")
    Object.assign(constraints, { width: { ideal: 1280 }, height: { ideal: 720 } });
  for (let attempt = 0; ; attempt++) {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ [kind]: constraints });
      const track = stream.getTracks()[0];
      if (!track) throw new DeviceError("no-device", kind);
      return track;
    } catch (error) {
      if (error instanceof DeviceError) throw error;
      const problem = problemOf(error);
      // A device switched off a moment ago may still be held by the system
      // (the driver releases it asynchronously): try again briefly before
      // telling the person it is in use.
      if (problem !== "device-in-use" || attempt >= IN_USE_RETRIES_MS.length)
        throw new DeviceError(problem, kind);
      await new Promise((resolve) => setTimeout(resolve, IN_USE_RETRIES_MS[attempt]));
    }
  }
}

/** Waits before the retries of a device reported busy. */
const IN_USE_RETRIES_MS = [250, 750, 1500];

/**
 * Asks the person which screen or window to share. Only ever called because
 * they pressed "share screen". Resolves undefined when they cancel the picker.
 */
export async function openScreen(): Promise<MediaStreamTrack | undefined> {
  if (!navigator.mediaDevices?.getDisplayMedia) throw new DeviceError("unsupported", "screen");
  try {
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    const track = stream.getVideoTracks()[0];
    if (!track) throw new DeviceError("no-device", "screen");
    // Text on a shared screen must stay sharp: prefer resolution over frame rate.
    track.contentHint = "detail";
    return track;
  } catch (error) {
    if (error instanceof DeviceError) throw error;
    // Cancelling the picker is a choice, not a failure.
    if ((error as DOMException)?.name === "NotAllowedError") return undefined;
    throw new DeviceError(problemOf(error), "screen");
  }
}

export interface DeviceInfo {
  deviceId: string;
  label: string;
}

export interface DeviceLists {
  microphones: DeviceInfo[];
  cameras: DeviceInfo[];
  /** Empty where the browser cannot choose an output (setSinkId). */
  speakers: DeviceInfo[];
}

/**
 * The devices the browser reports. Called only once the person has switched a
 * device on: before that, browsers hide names and the list says nothing useful.
 */
export async function listDevices(): Promise<DeviceLists> {
  const all = (await navigator.mediaDevices?.enumerateDevices?.()) ?? [];
  const of = (kind: MediaDeviceKind) =>
    all
      .filter((d) => d.kind === kind && d.deviceId)
      .map((d) => ({ deviceId: d.deviceId, label: d.label }));
  const canChooseOutput = "setSinkId" in HTMLMediaElement.prototype;
  return {
    microphones: of("audioinput"),
    cameras: of("videoinput"),
    speakers: canChooseOutput ? of("audiooutput") : [],
  };
}

/** Whether this browser has what a meeting needs at all. */
export function browserSupported(): boolean {
  return (
    typeof RTCPeerConnection === "function" &&
    typeof RTCRtpSender !== "undefined" &&
    "replaceTrack" in RTCRtpSender.prototype &&
    typeof navigator.mediaDevices?.getUserMedia === "function" &&
    typeof WebSocket === "function"
  );
}

function problemOf(error: unknown): DeviceProblem {
  switch ((error as DOMException)?.name) {
    case "NotAllowedError":
    case "SecurityError":
      return "permission-denied";
    case "NotFoundError":
    case "OverconstrainedError":
      return "no-device";
    case "NotReadableError":
    case "AbortError":
      return "device-in-use";
    default:
      return "unknown";
  }
}
