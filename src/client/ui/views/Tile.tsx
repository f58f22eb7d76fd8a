import { useEffect, useRef } from "preact/hooks";
import type { Role } from "../../../protocol/messages";
import type { Quality } from "../../sdk/speaker";
import { t } from "../i18n";
import { VideoView } from "./VideoView";

export interface TileProps {
  tileKey: string;
  participantId: string;
  kind: "person" | "screen";
  name: string;
  stream: MediaStream | undefined;
  audio: boolean;
  video: boolean;
  role: Role;
  self: boolean;
  speaking: boolean;
  quality: Quality | undefined;
  /** Frames from this person fail to decrypt and are dropped (fail closed). */
  e2eeWarning: boolean;
  /** Their connection dropped; the server keeps their place while they reconnect. */
  reconnecting: boolean;
  handPosition: number | undefined;
  pinned: boolean;
  sinkId: string | undefined;
  onPin: (key: string | undefined) => void;
  /** Watches this tile's size and visibility for the video layer choice (remote tiles). */
  watch?: (element: Element) => () => void;
}

/**
 * One participant's picture (or initial) with their name and state, or one
 * shared screen. A remote person's tile is always mounted while they are in
 * the meeting: its element also plays their audio.
 */
export function Tile(p: TileProps) {
  const label =
    p.kind === "screen"
      ? t("meeting.screenOf", { name: p.name })
      : p.self
        ? `${p.name} (${t("meeting.you")})`
        : p.name;
  const classes = [
    "tile",
    p.kind,
    p.self ? "self" : "remote",
    p.speaking ? "speaking" : "",
    p.pinned ? "pinned" : "",
    p.reconnecting ? "reconnecting" : "",
  ].join(" ");
  const showVideo = p.kind === "screen" || p.video;
  const ref = useRef<HTMLElement>(null);
  const { watch } = p;
  const watching = watch !== undefined;
  // Keyed by who and what is shown, not by the closure (a new one every render).
  useEffect(() => {
    const el = ref.current;
    if (!el || !watch) return;
    return watch(el);
  }, [watching, p.participantId, p.kind]);
  return (
    <figure
      ref={ref}
      class={classes}
      data-participant-id={p.participantId}
      data-camera={p.video ? "on" : "off"}
      data-speaking={p.speaking ? "true" : undefined}
    >
      {p.self && p.kind === "person" ? (
        p.video && <VideoView stream={p.stream} muted className="mirror" label={label} />
      ) : (
        <VideoView
          stream={p.stream}
          muted={p.kind === "screen"}
          className={p.kind === "screen" ? "screen-video" : "remote-video"}
          label={label}
          sinkId={p.sinkId}
        />
      )}
      {!showVideo && (
        <div class="placeholder" aria-hidden="true">
          {initial(p.name)}
        </div>
      )}
      <figcaption>
        <span class="name">{label}</span>
        {p.speaking && <span class="visually-hidden">{t("meeting.speaking")}</span>}
        {p.kind === "person" && (
          <>
            {p.role === "moderator" && <span class="badge">{t("meeting.moderator")}</span>}
            {p.handPosition !== undefined && (
              <span class="indicator hand" title={t("meeting.handRaised")}>
                <span aria-hidden="true">
                  {t("meeting.handShort", { n: String(p.handPosition) })}
                </span>
                <span class="visually-hidden">
                  {t("people.handPosition", { n: String(p.handPosition) })}
                </span>
              </span>
            )}
            {!p.audio && <span class="indicator mic-off">{t("meeting.micOff")}</span>}
            {!p.video && <span class="indicator camera-off">{t("meeting.cameraOff")}</span>}
            {p.quality && <QualityIndicator quality={p.quality} />}
            {p.reconnecting && (
              <span class="indicator reconnecting" role="status">
                {t("meeting.reconnecting")}
              </span>
            )}
            {p.e2eeWarning && (
              <span class="indicator e2ee-warning" role="alert">
                {t("e2ee.tileWarning")}
              </span>
            )}
          </>
        )}
      </figcaption>
      <button
        type="button"
        class="pin"
        aria-pressed={p.pinned}
        onClick={() => p.onPin(p.pinned ? undefined : p.tileKey)}
      >
        <span aria-hidden="true">📌</span>
        <span class="visually-hidden">{t("meeting.pin", { name: label })}</span>
      </button>
    </figure>
  );
}

function QualityIndicator({ quality }: { quality: Quality }) {
  const text = t("meeting.quality", { quality: t(`quality.${quality}`) });
  return (
    <span class={`quality ${quality}`} role="img" aria-label={text} title={text}>
      <span />
      <span />
      <span />
    </span>
  );
}

function initial(name: string): string {
  return [...name.trim()][0]?.toUpperCase() ?? "?";
}
