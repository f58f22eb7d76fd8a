import fc from "fast-check";
import {
  type ClientMessageType,
  MAX_MESSAGE_BYTES,
  PROTOCOL_VERSION,
  REACTIONS,
} from "../../src/protocol/messages";

/**
 * Hostile signalling frames for the protocol fuzzer: requests of every type
 * in src/protocol/messages.ts with well-typed and ill-typed fields, and text
 * mutations that the schema alone would not see (duplicate and prototype keys,
 * deep nesting, huge arrays, truncation). Every frame stays under 64 KiB: the
 * frame limit has its own test, and a closed socket would end the stream.
 */

/** Strings the fuzzer knows from the running server, so that some requests hit real targets. */
export interface Known {
  roomIds: string[];
  moderatorTokens: string[];
  participantIds: string[];
}

const nasty = fc.constantFrom(
  "",
  " ",
  "__proto__",
  "constructor",
  "<script>alert(1)</script>",
  "\u0000",
  "\u202e",
  "💥".repeat(40),
  "a".repeat(300),
  "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n",
);

function text(known: Known): fc.Arbitrary<string> {
  const pool = [...known.roomIds, ...known.moderatorTokens, ...known.participantIds];
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 80 }) },
    { weight: 2, arbitrary: nasty },
    ...(pool.length > 0 ? [{ weight: 4, arbitrary: fc.constantFrom(...pool) }] : []),
  );
}

/** Any JSON value, of the right type or not. */
const anything = fc.jsonValue({ maxDepth: 3 });

/** A request id: usually valid, sometimes not. */
const requestId = fc.oneof(
  { weight: 20, arbitrary: fc.nat({ max: 1_000_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(-1, 1.5, Number.MAX_SAFE_INTEGER + 2, "7", null) },
);

/**
 * The fields of each request type, well-typed (values may still be wrong for the state).
 * Typed by the protocol's own union, so a new request type cannot escape the fuzzer.
 */
function fieldsOf(known: Known): Record<ClientMessageType, fc.Arbitrary<object>> {
  const s = text(known);
  const bool = fc.boolean();
  const id = s;
  return {
    hello: fc.record({
      protocolVersion: fc.oneof(fc.constant(PROTOCOL_VERSION), fc.integer()),
    }),
    join: fc.record(
      {
        roomId: s,
        name: s,
        moderatorToken: s,
        password: s,
        resume: s,
      },
      { requiredKeys: ["roomId", "name"] },
    ),
    ping: fc.constant({}),
    "media-restart": fc.constant({}),
    "subscriber-ice-restart": fc.constant({}),
    publish: fc.record(
      {
        sdp: s,
        tracks: fc.array(
          fc.record({ mid: s, source: fc.constantFrom("microphone", "camera", "screen", "x") }),
          { maxLength: 4 },
        ),
      },
      { requiredKeys: ["sdp"] },
    ),
    "subscriber-answer": fc.record({ sdp: s }),
    "video-preferences": fc.record({
      tiles: fc.array(
        fc.record({
          participantId: id,
          source: fc.constantFrom("camera", "screen", "microphone"),
          width: fc.integer({ min: -1, max: 20_000 }),
          height: fc.integer({ min: -1, max: 20_000 }),
          hidden: bool,
        }),
        { maxLength: 5 },
      ),
    }),
    "media-state": fc.record({ media: fc.record({ audio: bool, video: bool }) }),
    leave: fc.constant({}),
    admit: fc.record({ waiterId: id }),
    "admit-all": fc.constant({}),
    deny: fc.record({ waiterId: id, reason: s }, { requiredKeys: ["waiterId"] }),
    "lobby-message": fc.record({ text: s }),
    lock: fc.record({ locked: bool }),
    kick: fc.record({ participantId: id }),
    mute: fc.record({ participantId: id }),
    "mute-all": fc.constant({}),
    "request-unmute": fc.record({ participantId: id }),
    "set-role": fc.record({
      participantId: id,
      role: fc.constantFrom("moderator", "participant", "guest", "admin"),
    }),
    "update-settings": fc.record({
      settings: fc.record(
        { lobby: bool, chat: bool, multipleScreenShares: bool, e2ee: bool },
        { requiredKeys: [] },
      ),
    }),
    "end-meeting": fc.constant({}),
    "set-password": fc.record({ password: fc.oneof(s, fc.constant(null)) }),
    chat: fc.record({ text: s }),
    hand: fc.record({ raised: bool }),
    reaction: fc.record({ emoji: fc.oneof(fc.constantFrom(...REACTIONS), s) }),
    "screen-share": fc.record({ on: bool }),
    // MLS payloads: base64 that is no valid MLS message, or not base64 at all.
    "mls-key-package": fc.record({ keyPackage: fc.oneof(base64, s) }),
    "mls-commit": fc.record(
      {
        epoch: fc.oneof(fc.nat({ max: 5 }), fc.integer()),
        commit: fc.oneof(base64, s),
        welcome: fc.oneof(base64, s),
        added: fc.array(id, { maxLength: 3 }),
        removed: fc.array(id, { maxLength: 3 }),
      },
      { requiredKeys: ["epoch", "commit", "added", "removed"] },
    ),
    "mls-upload": fc.record({
      field: fc.constantFrom("commit", "welcome", "tree"),
      data: fc.oneof(base64, s),
    }),
    "mls-chat": fc.record({ message: fc.oneof(base64, s) }),
  };
}

/** Base64 of random bytes: passes the schema, fails as MLS. */
const base64 = fc
  .uint8Array({ minLength: 3, maxLength: 400 })
  .map((bytes) => Buffer.from(bytes).toString("base64"));

/** A request of any type, its fields well-typed or, now and then, replaced by any JSON. */
function request(known: Known): fc.Arbitrary<Record<string, unknown>> {
  const fields = fieldsOf(known);
  return fc
    .constantFrom(...(Object.keys(fields) as ClientMessageType[]))
    .chain((type) =>
      fc.tuple(
        fc.constant(type),
        requestId,
        fields[type],
        fc.oneof(
          { weight: 9, arbitrary: fc.constant(undefined) },
          { weight: 1, arbitrary: anything },
        ),
      ),
    )
    .map(([type, id, body, replacement]) => {
      const message: Record<string, unknown> = { type, id, ...body };
      const keys = Object.keys(body);
      if (replacement !== undefined && keys.length > 0) {
        // Hit one field with a value of the wrong type.
        message[keys[String(JSON.stringify(replacement)).length % keys.length] as string] =
          replacement;
      }
      return message;
    });
}

/** Text mutations of a request's JSON that `JSON.parse` accepts or nearly accepts. */
function mutate(json: string, how: number, at: number, extra: string): string {
  const cut = at % Math.max(1, json.length);
  switch (how) {
    case 0: // duplicate key: a second type would win in JSON.parse
      return `${json.slice(0, -1)},"type":"kick"}`;
    case 1: // a prototype key at the top
      return `{"__proto__":{"role":"moderator"},${json.slice(1)}`;
    case 2: // a prototype key nested
      return `${json.slice(0, -1)},"settings":{"constructor":{"prototype":{"x":1}}}}`;
    case 3: // truncated
      return json.slice(0, cut);
    case 4: // one character replaced
      return json.slice(0, cut) + extra.slice(0, 1) + json.slice(cut + 1);
    case 5: // an unknown field
      return `${json.slice(0, -1)},${JSON.stringify(extra)}:1}`;
    case 6: // whole message as an array or a scalar
      return [`[${json}]`, `"${extra}"`, "null", "0", "true", "[]", "{}", ""][at % 8] as string;
    default: // escaped duplicate: "\u0074ype" is "type"
      return `${json.slice(0, -1)},"\\u0074ype":"end-meeting"}`;
  }
}

/** Containers nested `depth` deep, alternating objects and arrays. */
function nested(depth: number): string {
  let open = "";
  let close = "";
  for (let i = 0; i < depth; i++) {
    if (i % 2 === 0) {
      open += '{"a":';
      close = `}${close}`;
    } else {
      open += "[";
      close = `]${close}`;
    }
  }
  return `${open}1${close}`;
}

/** A huge array of small items, just under the frame limit. */
function hugeArray(items: number, where: number): string {
  const budget = Math.floor((MAX_MESSAGE_BYTES - 200) / 2);
  const body = Array.from({ length: Math.min(items, budget) }, () => "0").join(",");
  return where % 2 === 0 ? `{"type":"publish","id":1,"sdp":"x","tracks":[${body}]}` : `[${body}]`;
}

/** One hostile frame, of any of the kinds above. */
export function hostileFrame(known: Known): fc.Arbitrary<string> {
  const req = request(known);
  return fc.oneof(
    { weight: 10, arbitrary: req.map((m) => JSON.stringify(m)) },
    {
      weight: 6,
      arbitrary: fc
        .tuple(req, fc.nat({ max: 7 }), fc.nat(), fc.string({ minLength: 1, maxLength: 4 }))
        .map(([m, how, at, extra]) => mutate(JSON.stringify(m), how, at, extra)),
    },
    { weight: 2, arbitrary: fc.string({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.json({ maxDepth: 4 }) },
    { weight: 1, arbitrary: fc.integer({ min: 2, max: 4000 }).map(nested) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 100, max: 40_000 }), fc.nat())
        .map(([n, w]) => hugeArray(n, w)),
    },
  );
}
