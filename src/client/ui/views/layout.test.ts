import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gridColumns, mainTile, type TileRef } from "./layout";

const person = (id: string): TileRef => ({ key: id, participantId: id, kind: "person" });
const screen = (id: string): TileRef => ({
  key: `${id}/screen`,
  participantId: id,
  kind: "screen",
});

describe("gridColumns", () => {
  it("grows from one column to five for 25 tiles and stays there", () => {
    assert.deepEqual([1, 2, 4, 5, 9, 10, 16, 25, 40].map(gridColumns), [1, 2, 2, 3, 3, 4, 4, 5, 5]);
  });
});

describe("mainTile", () => {
  const tiles = [person("me"), person("a"), person("b"), screen("b")];
  it("shows a pinned tile first", () => {
    assert.equal(mainTile(tiles, "a", "b", "me")?.key, "a");
  });
  it("shows a shared screen before the active speaker", () => {
    assert.equal(mainTile(tiles, undefined, "a", "me")?.key, "b/screen");
  });
  it("shows the active speaker, else someone other than oneself", () => {
    const people = tiles.slice(0, 3);
    assert.equal(mainTile(people, undefined, "b", "me")?.key, "b");
    assert.equal(mainTile(people, undefined, undefined, "me")?.key, "a");
    assert.equal(mainTile(people, undefined, "me", "me")?.key, "a", "not oneself while talking");
    assert.equal(mainTile([person("me")], undefined, undefined, "me")?.key, "me");
  });
});
