import { z } from "zod";

/**
 * What nodes tell each other over pub/sub. Only the session logic's input and
 * output travel: frames as the client sent them, replies as the owner wrote them.
 */
const Identity = z.object({
  account: z.object({ id: z.string(), username: z.string() }).optional(),
  clientId: z.string(),
  address: z.string(),
});

/** To a room's owner, on its inbound channel. */
export const Inbound = z.discriminatedUnion("k", [
  /** A client connected to `from` joins a room this node owns; its greeting is done. */
  z.object({ k: z.literal("open"), conn: z.string(), from: z.string(), identity: Identity }),
  z.object({ k: z.literal("frame"), conn: z.string(), text: z.string() }),
  /** The client's socket closed, with its close code (a goodbye leaves; anything else may resume). */
  z.object({ k: z.literal("close"), conn: z.string(), code: z.number().int().optional() }),
  /** Every beat, from each relaying node: these connections are still there. */
  z.object({ k: z.literal("beat"), conns: z.array(z.string()) }),
]);
export type Inbound = z.infer<typeof Inbound>;

/** From the owner back to one relayed connection. */
export const Outbound = z.discriminatedUnion("k", [
  z.object({ k: z.literal("frame"), text: z.string() }),
  z.object({ k: z.literal("close"), code: z.number().int(), reason: z.string() }),
]);
export type Outbound = z.infer<typeof Outbound>;
