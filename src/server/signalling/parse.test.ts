import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MAX_DEPTH, parseMessage } from "./parse";

describe("parseMessage", () => {
  it("accepts a plain message", () => {
    assert.deepEqual(parseMessage('{"type":"hello","id":1,"protocolVersion":1}'), {
      ok: true,
      value: { type: "hello", id: 1, protocolVersion: 1 },
    });
  });

  it("rejects invalid JSON as bad-json", () => {
    const r = parseMessage("{nope");
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.code, "bad-json");
  });

  it("rejects duplicate keys, which JSON.parse would silently merge", () => {
    const r = parseMessage('{"type":"leave","id":1,"type":"join"}');
    assert.equal(!r.ok && r.code, "unsafe-message");
    assert.match(!r.ok ? r.detail : "", /duplicate key "type"/);
  });

  it("rejects prototype keys, also when spelled with escapes", () => {
    for (const text of [
      '{"__proto__":{"x":1}}',
      '{"a":{"constructor":{"prototype":{}}}}',
      '{"__proto\\u005f_":1}',
    ]) {
      const r = parseMessage(text);
      assert.equal(!r.ok && r.code, "unsafe-message", text);
    }
  });

  it("allows the same key in sibling objects and key-like text inside strings", () => {
    const r = parseMessage('{"a":{"id":1},"b":{"id":2},"s":"\\"id\\": \\"__proto__\\":"}');
    assert.equal(r.ok, true);
  });

  it("rejects nesting deeper than MAX_DEPTH", () => {
    const deep = `${"[".repeat(MAX_DEPTH + 1)}${"]".repeat(MAX_DEPTH + 1)}`;
    assert.equal(parseMessage(deep).ok, false);
    const ok = `${"[".repeat(MAX_DEPTH)}${"]".repeat(MAX_DEPTH)}`;
    assert.equal(parseMessage(ok).ok, true);
  });
});
