import type { MeetingSnapshot } from "../../sdk/meeting";
import { t } from "../i18n";
import { gridColumns, mainTile, type TileRef } from "./layout";
import { Tile, type TileProps } from "./Tile";

export type Layout = "grid" | "speaker";

interface Props {
  snapshot: MeetingSnapshot;
  /** Tells the SDK where others' video is shown, and at what size. */
  watchTile: (participantId: string, source: "camera" | "screen", el: Element) => () => void;
  layout: Layout;
  pinned: string | undefined;
  hideSelf: boolean;
  onPin: (key: string | undefined) => void;
}

/** Every tile of the meeting, in a grid or with one large and the others in a strip. */
export function Stage({ snapshot, layout, pinned, hideSelf, onPin, watchTile }: Props) {
  if (snapshot.status.status !== "joined") return null;
  const tiles = tilesOf(snapshot, hideSelf, pinned, onPin).map((p) =>
    p.self
      ? p
      : {
          ...p,
          watch: (el: Element) =>
            watchTile(p.participantId, p.kind === "screen" ? "screen" : "camera", el),
        },
  );
  const selfId = snapshot.status.self.id;
  const refs: TileRef[] = tiles.map((p) => ({
    key: p.tileKey,
    participantId: p.participantId,
    kind: p.kind,
  }));
  if (layout === "speaker" && tiles.length > 1) {
    const main = mainTile(refs, pinned, snapshot.activeSpeaker, selfId);
    const big = tiles.find((p) => p.tileKey === main?.key);
    return (
      <section class="stage speaker-layout" aria-label={t("meeting.participants")}>
        <div class="main-tile">{big && <Tile {...big} />}</div>
        <div class="strip">
          {tiles
            .filter((p) => p !== big)
            .map((p) => (
              <Tile key={p.tileKey} {...p} />
            ))}
        </div>
      </section>
    );
  }
  return (
    <section
      class="stage grid"
      aria-label={t("meeting.participants")}
      data-count={tiles.length}
      data-cols={gridColumns(tiles.length)}
    >
      {tiles.map((p) => (
        <Tile key={p.tileKey} {...p} />
      ))}
    </section>
  );
}

function tilesOf(
  snapshot: MeetingSnapshot,
  hideSelf: boolean,
  pinned: string | undefined,
  onPin: (key: string | undefined) => void,
): TileProps[] {
  if (snapshot.status.status !== "joined") return [];
  const { self } = snapshot.status;
  const common = (id: string) => ({
    participantId: id,
    speaking: snapshot.activeSpeaker === id,
    quality: snapshot.quality[id],
    e2eeWarning: snapshot.participants.some((p) => p.id === id && p.e2eeWarning),
    reconnecting: snapshot.participants.some((p) => p.id === id && p.reconnecting),
    handPosition: position(snapshot.hands, id),
    sinkId: snapshot.choices.speaker,
    onPin,
  });
  const tiles: TileProps[] = [];
  // Screens first: a share is what everyone is meant to look at.
  if (snapshot.local.screen) {
    tiles.push({
      ...common(self.id),
      ...screenTile(`${self.id}/screen`, self.name, pinned),
      self: true,
      role: self.role,
      stream: streamOf(snapshot.local.screen),
    });
  }
  for (const p of snapshot.participants) {
    if (p.screen && p.screenStream)
      tiles.push({
        ...common(p.id),
        ...screenTile(`${p.id}/screen`, p.name, pinned),
        self: false,
        role: p.role,
        stream: p.screenStream,
      });
  }
  if (!hideSelf) {
    tiles.push({
      ...common(self.id),
      tileKey: self.id,
      kind: "person",
      name: self.name,
      stream: snapshot.local.video && streamOf(snapshot.local.video),
      audio: snapshot.local.audio !== undefined,
      video: snapshot.local.video !== undefined,
      role: self.role,
      self: true,
      pinned: pinned === self.id,
    });
  }
  for (const p of snapshot.participants) {
    tiles.push({
      ...common(p.id),
      tileKey: p.id,
      kind: "person",
      name: p.name,
      stream: p.stream,
      audio: p.media.audio,
      video: p.media.video,
      role: p.role,
      self: false,
      pinned: pinned === p.id,
    });
  }
  return tiles;
}

function screenTile(key: string, name: string, pinned: string | undefined) {
  return {
    tileKey: key,
    kind: "screen" as const,
    name,
    // The outline marks a voice; a screen has none.
    speaking: false,
    audio: true,
    video: true,
    pinned: pinned === key,
  };
}

/** One stream per local track, so a re-render does not restart the element's playback. */
const localStreams = new WeakMap<MediaStreamTrack, MediaStream>();
function streamOf(track: MediaStreamTrack): MediaStream {
  let stream = localStreams.get(track);
  if (!stream) {
    stream = new MediaStream([track]);
    localStreams.set(track, stream);
  }
  return stream;
}

function position(hands: string[], id: string): number | undefined {
  const i = hands.indexOf(id);
  return i < 0 ? undefined : i + 1;
}
