import type { VideoTile } from "../../protocol/messages";

type Source = "camera" | "screen";

interface Watched {
  participantId: string;
  source: Source;
  width: number;
  height: number;
  visible: boolean;
}

/** Tiles resize in bursts (a window drag): one message after the burst. */
const DEBOUNCE_MS = 150;

/**
 * Tells the server how this person shows everyone's video: each tile's size
 * in device pixels, and which tiles nobody can see (scrolled out of view, a
 * minimised or hidden tab, audio-only mode). The server forwards the
 * simulcast layer that fits and nothing for hidden tiles (docs/PROTOCOL.md,
 * `video-preferences`). Only changes are sent.
 */
export class TileWatcher {
  private readonly tiles = new Map<Element, Watched>();
  private readonly resize: ResizeObserver;
  private readonly intersect: IntersectionObserver;
  private audioOnly = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastSent = "";
  private closed = false;
  private readonly onVisibility = () => this.schedule();

  constructor(private readonly send: (tiles: VideoTile[]) => Promise<boolean>) {
    this.resize = new ResizeObserver((entries) => {
      for (const e of entries) {
        const tile = this.tiles.get(e.target);
        if (!tile) continue;
        tile.width = e.contentRect.width;
        tile.height = e.contentRect.height;
      }
      this.schedule();
    });
    this.intersect = new IntersectionObserver((entries) => {
      for (const e of entries) {
        const tile = this.tiles.get(e.target);
        if (tile) tile.visible = e.isIntersecting;
      }
      this.schedule();
    });
    document.addEventListener("visibilitychange", this.onVisibility);
  }

  /** Watches the element showing `participantId`'s `source`; returns a disposer. */
  watch(participantId: string, source: Source, element: Element): () => void {
    if (this.closed) return () => undefined;
    const rect = element.getBoundingClientRect();
    this.tiles.set(element, {
      participantId,
      source,
      width: rect.width,
      height: rect.height,
      visible: true,
    });
    this.resize.observe(element);
    this.intersect.observe(element);
    this.schedule();
    return () => {
      this.resize.unobserve(element);
      this.intersect.unobserve(element);
      this.tiles.delete(element);
      this.schedule();
    };
  }

  setAudioOnly(on: boolean): void {
    this.audioOnly = on;
    this.schedule();
  }

  /** Sends the list again, even unchanged (a new connection knows nothing yet). */
  resend(): void {
    this.lastSent = "";
    this.schedule();
  }

  /** The list as it would be sent now. */
  list(): VideoTile[] {
    const pageHidden = document.visibilityState === "hidden";
    const scale = globalThis.devicePixelRatio || 1;
    const merged = new Map<string, VideoTile>();
    for (const t of this.tiles.values()) {
      const hidden = this.audioOnly || pageHidden || !t.visible || t.width < 1 || t.height < 1;
      const drawn = drawnSize(t);
      const tile: VideoTile = {
        participantId: t.participantId,
        source: t.source,
        width: hidden ? 0 : Math.min(16384, Math.round(drawn.width * scale)),
        height: hidden ? 0 : Math.min(16384, Math.round(drawn.height * scale)),
        hidden,
      };
      // The same person in two places (pinned and in the strip): the larger shown one counts.
      const key = `${t.participantId}/${t.source}`;
      const before = merged.get(key);
      if (
        !before ||
        (before.hidden && !hidden) ||
        tile.width * tile.height > before.width * before.height
      )
        merged.set(key, tile);
    }
    return [...merged.values()].sort((a, b) =>
      `${a.participantId}/${a.source}`.localeCompare(`${b.participantId}/${b.source}`),
    );
  }

  private schedule(): void {
    if (this.closed || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const tiles = this.list();
      const text = JSON.stringify(tiles);
      if (text === this.lastSent) return;
      this.lastSent = text;
      // Not connected yet: `resend` after joining delivers it.
      void this.send(tiles).then((sent) => {
        if (!sent) this.lastSent = "";
      });
    }, DEBOUNCE_MS);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.resize.disconnect();
    this.intersect.disconnect();
    document.removeEventListener("visibilitychange", this.onVisibility);
    this.tiles.clear();
  }
}

/** Cameras are assumed 16:9 (what the publisher asks for) until a frame says otherwise. */
const CAMERA_ASPECT = 16 / 9;

/**
 * The size the video is drawn at: a camera fills its tile (object-fit:
 * cover, so it is cropped and drawn larger than the tile in one dimension);
 * a screen is fitted in whole (contain), so the tile's size is the bound.
 */
function drawnSize(t: Watched): { width: number; height: number } {
  if (t.source === "screen") return { width: t.width, height: t.height };
  return t.width / t.height > CAMERA_ASPECT
    ? { width: t.width, height: t.width / CAMERA_ASPECT }
    : { width: t.height * CAMERA_ASPECT, height: t.height };
}
