import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { RoomId } from "../../protocol/messages";
import type { Authenticate } from "../auth/account";
import { limitRefusals } from "../observability/metrics";
import type { RoomDirectory } from "../room/directory";
import { TokenBucket } from "../signalling/rate-limit";
import { DEFAULTS } from "../store/rooms";
import { sendError } from "./errors";

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

export interface RoomRouteOptions {
  /** PLENUM_DEFAULT_LOBBY: whether an ad-hoc room starts with its lobby on. */
  lobby?: boolean;
  /** PLENUM_ROOM_CREATION (SPEC LIMIT-2). */
  creation?: "anyone" | "organisers";
  /** New rooms an hour, per address and on the whole server (SPEC LIMIT-1). */
  perAddressPerHour?: number;
  perHour?: number;
  authenticate?: Authenticate;
  now?: () => number;
}

/** Bounded memory under a flood of distinct addresses. */
const MAX_ADDRESSES = 10_000;

export function registerRoomRoutes(
  app: FastifyInstance,
  directory: RoomDirectory,
  publicUrl: () => string,
  options: RoomRouteOptions = {},
): void {
  const { creation = "anyone", perAddressPerHour = 30, perHour = 1000, now = Date.now } = options;
  const defaults = { ...DEFAULTS, lobby: options.lobby ?? true };
  const everyone = new TokenBucket(perHour / 3600, perHour, now);
  const byAddress = new Map<string, TokenBucket>();
  /** Room creation costs a write (and argon2 with a password): bounded per address and overall. */
  const allowCreate = (address: string): boolean => {
    let bucket = byAddress.get(address);
    if (!bucket) {
      bucket = new TokenBucket(perAddressPerHour / 3600, perAddressPerHour, now);
      byAddress.set(address, bucket);
      if (byAddress.size > MAX_ADDRESSES) byAddress.delete(byAddress.keys().next().value ?? "");
    }
    if (!bucket.take()) {
      limitRefusals.inc({ limit: "rooms-per-address" });
      return false;
    }
    if (!everyone.take()) {
      limitRefusals.inc({ limit: "rooms-per-hour" });
      return false;
    }
    return true;
  };
  app.post("/api/rooms", async (request, reply) => {
    // A browser always says where the page came from: another site may not create rooms here.
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== new URL(publicUrl()).origin)
      return sendError(reply, "cross-origin");
    if (creation === "organisers") {
      const account = await options.authenticate?.(request.raw);
      if (!account) return sendError(reply, "organisers-only");
    }
    if (!allowCreate(request.ip)) return sendError(reply, "too-many-rooms");
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
