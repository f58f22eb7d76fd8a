import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { RoomId } from "../../protocol/messages";
import type { RoomDirectory } from "../room/directory";
import { DEFAULTS } from "../store/rooms";

/**
 * An ad-hoc room may get a password, and its lobby switched off, at creation
 * (for integrations that admit people themselves), and end-to-end encryption
 * switched off (for clients that cannot take part in it, such as protocol-level
 * test clients); everything else takes the defaults.
 */
const NewRoomBody = z.strictObject({
  password: z.string().min(1).max(256).optional(),
  lobby: z.boolean().optional(),
  e2ee: z.boolean().optional(),
  /** The post-quantum hybrid MLS suite (X-Wing) for this room's encryption. */
  postQuantum: z.boolean().optional(),
});

/** The one answer for every room that cannot be joined, whatever the reason (T4). */
export const UNAVAILABLE = {
  code: "room-unavailable",
  message: "This meeting is not available.",
} as const;

export function registerRoomRoutes(
  app: FastifyInstance,
  directory: RoomDirectory,
  publicUrl: () => string,
  /** PLENUM_DEFAULT_LOBBY: whether an ad-hoc room starts with its lobby on. */
  lobby = true,
): void {
  const defaults = { ...DEFAULTS, lobby };
  app.post("/api/rooms", async (request, reply) => {
    const body = NewRoomBody.safeParse(request.body ?? {});
    if (!body.success) {
      return reply
        .code(400)
        .send({ code: "bad-request", message: body.error.issues[0]?.message ?? "invalid body" });
    }
    const { password, lobby: lobbyChoice, e2ee, postQuantum } = body.data;
    const room = await directory.create({
      defaults: {
        ...defaults,
        lobby: lobbyChoice ?? defaults.lobby,
        e2ee: e2ee ?? defaults.e2ee,
        ...(postQuantum ? { postQuantum } : {}),
      },
      ...(password ? { password } : {}),
    });
    const url = `${publicUrl()}/r/${room.id}`;
    // The secret travels in the fragment, which browsers never send to a server:
    // it stays out of access logs, proxies and Referer headers.
    return reply
      .code(201)
      .send({ id: room.id, url, moderatorUrl: `${url}#mod=${room.moderatorToken}` });
  });

  app.get<{ Params: { id: string } }>("/api/rooms/:id", async (request, reply) => {
    const id = RoomId.safeParse(request.params.id);
    if (!id.success || !(await directory.isAvailable(id.data)))
      return reply.code(404).send(UNAVAILABLE);
    // Deliberately no participant list or count: that is for people in the room only.
    return { id: id.data };
  });
}
