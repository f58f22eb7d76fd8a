/** Columns of the grid for `count` tiles: as square as possible, five at most (25 tiles). */
export function gridColumns(count: number): number {
  return Math.min(5, Math.max(1, Math.ceil(Math.sqrt(count))));
}

/** A tile on the stage: a person (camera or placeholder) or a shared screen. */
export interface TileRef {
  key: string;
  participantId: string;
  kind: "person" | "screen";
}

/**
 * Which tile the speaker view shows large: the pinned one, else a shared
 * screen (the most recent), else the active speaker unless that is oneself
 * (people do not need to see themselves large while talking), else the first
 * person who is not oneself.
 */
export function mainTile(
  tiles: TileRef[],
  pinned: string | undefined,
  activeSpeaker: string | undefined,
  selfId: string,
): TileRef | undefined {
  return (
    tiles.find((t) => t.key === pinned) ??
    tiles.findLast((t) => t.kind === "screen") ??
    tiles.find(
      (t) => t.kind === "person" && t.participantId === activeSpeaker && activeSpeaker !== selfId,
    ) ??
    tiles.find((t) => t.kind === "person" && t.participantId !== selfId) ??
    tiles[0]
  );
}
