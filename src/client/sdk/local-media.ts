import { DeviceError, type DeviceLists, listDevices, openDevice, openScreen } from "./devices";
import { LevelMeter } from "./level-meter";
import {
  type DeviceChoices,
  type DeviceRole,
  loadDeviceChoices,
  saveDeviceChoices,
} from "./preferences";

export interface LocalTracks {
  audio?: MediaStreamTrack;
  video?: MediaStreamTrack;
  screen?: MediaStreamTrack;
}

/**
 * The person's own devices: what is open, which device is chosen, and the
 * last problem. A device is open exactly while its track exists; switching
 * it off stops the track, which releases the device (the light goes off).
 */
export class LocalMedia {
  tracks: LocalTracks = {};
  devices: DeviceLists = { microphones: [], cameras: [], speakers: [] };
  choices: DeviceChoices = loadDeviceChoices();
  error: DeviceError | undefined;
  private meter: LevelMeter | undefined;
  private readonly watchDevices = () => void this.refreshDevices();

  constructor(private readonly onChange: () => void) {}

  /** Opens or releases the microphone ("audio") or camera ("video"). Returns whether it changed. */
  async set(kind: "audio" | "video", on: boolean): Promise<boolean> {
    if (on === (this.tracks[kind] !== undefined)) return false;
    if (!on) {
      this.replace(kind, undefined);
      return true;
    }
    const track = await this.open(kind, this.choices[roleOf(kind)]);
    if (!track) return false;
    this.replace(kind, track);
    await this.refreshDevices();
    return true;
  }

  /**
   * Chooses a device and remembers the choice in this browser. An open device
   * is switched at once (the new one opens before the old one is released, so
   * a failure leaves the old one working).
   */
  async choose(role: DeviceRole, deviceId: string): Promise<boolean> {
    this.choices = { ...this.choices, [role]: deviceId };
    saveDeviceChoices(this.choices);
    const kind = role === "microphone" ? "audio" : role === "camera" ? "video" : undefined;
    if (!kind || !this.tracks[kind]) {
      this.onChange();
      return false;
    }
    const track = await this.open(kind, deviceId);
    if (!track) return false;
    this.replace(kind, track);
    return true;
  }

  /** Asks for a screen; undefined when the person cancelled or it failed (see `error`). */
  async openScreen(): Promise<MediaStreamTrack | undefined> {
    try {
      const track = await openScreen();
      this.error = undefined;
      return track;
    } catch (error) {
      this.error = error instanceof DeviceError ? error : new DeviceError("unknown", "screen");
      this.onChange();
      return undefined;
    }
  }

  setScreen(track: MediaStreamTrack | undefined): void {
    if (this.tracks.screen === track) return;
    this.tracks.screen?.stop();
    const { screen: _, ...rest } = this.tracks;
    this.tracks = track ? { ...rest, screen: track } : rest;
    this.onChange();
  }

  /** The own microphone's level (0..1), or undefined while it is off. */
  level(): number | undefined {
    return this.meter?.level();
  }

  private async open(kind: "audio" | "video", deviceId?: string) {
    try {
      const track = await openDevice(kind, deviceId).catch((error: unknown) => {
        // A remembered device that is gone: fall back to the default one.
        if (deviceId && error instanceof DeviceError && error.problem === "no-device")
          return openDevice(kind);
        throw error;
      });
      this.error = undefined;
      return track;
    } catch (error) {
      this.error = error instanceof DeviceError ? error : new DeviceError("unknown", kind);
      this.onChange();
      return undefined;
    }
  }

  private replace(kind: "audio" | "video", track: MediaStreamTrack | undefined): void {
    this.tracks[kind]?.stop();
    const { [kind]: _, ...rest } = this.tracks;
    this.tracks = track ? { ...rest, [kind]: track } : rest;
    if (kind === "audio") {
      this.meter?.close();
      this.meter = track ? new LevelMeter(track) : undefined;
    }
    this.onChange();
  }

  private async refreshDevices(): Promise<void> {
    // Listening starts only after a device was opened: the lists are empty before.
    navigator.mediaDevices?.addEventListener?.("devicechange", this.watchDevices);
    this.devices = await listDevices().catch(() => this.devices);
    this.onChange();
  }

  /** Releases every device; idempotent. */
  release(): void {
    this.tracks.audio?.stop();
    this.tracks.video?.stop();
    this.tracks.screen?.stop();
    this.tracks = {};
    this.meter?.close();
    this.meter = undefined;
    navigator.mediaDevices?.removeEventListener?.("devicechange", this.watchDevices);
  }
}

function roleOf(kind: "audio" | "video"): DeviceRole {
  return kind === "audio" ? "microphone" : "camera";
}
