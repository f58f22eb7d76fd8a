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
    readonly kind: "audio" | "video",
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
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ [kind]: constraints });
    const track = stream.getTracks()[0];
    if (!track) throw new DeviceError("no-device", kind);
    return track;
  } catch (error) {
    if (error instanceof DeviceError) throw error;
    throw new DeviceError(problemOf(error), kind);
  }
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
