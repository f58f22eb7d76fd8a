/**
 * Device choices remembered in this browser only (localStorage). They are
 * never sent to the server: a device id is a fingerprint of the machine.
 */
export type DeviceRole = "microphone" | "camera" | "speaker";

const KEY = "plenum.devices";

export type DeviceChoices = Partial<Record<DeviceRole, string>>;

export function loadDeviceChoices(): DeviceChoices {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) ?? "{}") as unknown;
    if (typeof value !== "object" || value === null) return {};
    const out: DeviceChoices = {};
    for (const role of ["microphone", "camera", "speaker"] as const) {
      const id = (value as Record<string, unknown>)[role];
      if (typeof id === "string" && id.length <= 256) out[role] = id;
    }
    return out;
  } catch {
    return {};
  }
}

export function saveDeviceChoices(choices: DeviceChoices): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(choices));
  } catch {
    // Storage full or forbidden (private mode): the choice holds for this page only.
  }
}
