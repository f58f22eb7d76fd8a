import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { RoomId } from "../../protocol/messages";
import type { AccountRef, Authenticate } from "../auth/account";
import { hashPassword } from "../auth/passwords";
import type { RoomDirectory } from "../room/directory";
import { hashSecret, newSecret } from "../room/secrets";
import type { StoredRoom } from "../store/rooms";
import type { Store } from "../store/store";
import { sendError } from "./errors";
import { noStore, sameOriginJson } from "./private-api";

const MAX_ROOM_NAME_LENGTH = 100;

const RoomName = z
  .string()
  .trim()
  .min(1)
  .max(MAX_ROOM_NAME_LENGTH)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), "control characters are not allowed");
const RoomPassword = z.string().min(4).max(128);

const CreateBody = z.strictObject({
  name: RoomName,
  lobby: z.boolean().default(true),
  chat: z.boolean().default(true),
  e2ee: z.boolean().default(true),
  /** The X-Wing hybrid MLS suite (post-quantum) instead of the default; only with e2ee. */
  postQuantum: z.boolean().default(false),
  password: RoomPassword.optional(),
});

const PatchBody = z
  .strictObject({
    name: RoomName.optional(),
    lobby: z.boolean().optional(),
    chat: z.boolean().optional(),
    e2ee: z.boolean().optional(),
    postQuantum: z.boolean().optional(),
    /** null removes the password. */
    password: RoomPassword.nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, "nothing to change");

interface Deps {
  store: Store;
  directory: RoomDirectory;
  authenticate: Authenticate;
  publicUrl: () => string;
}

/**
 * An organiser's persistent rooms. Another account's room answers exactly as
 * a room that does not exist (404), so ids cannot be probed.
 */
export function registerMyRoomRoutes(app: FastifyInstance, deps: Deps): void {
  const roomUrl = (id: string) => `${deps.publicUrl()}/r/${id}`;
  const view = (room: StoredRoom) => ({
    id: room.id,
    name: room.name ?? "",
    url: roomUrl(room.id),
    ...room.defaults,
    postQuantum: room.defaults.postQuantum ?? false,
    hasPassword: room.passwordHash !== null,
    createdAt: room.createdAt,
  });

  /** The signed-in organiser, or undefined after answering 401. */
  const organiser = async (request: FastifyRequest, reply: FastifyReply) => {
    const account = await deps.authenticate(request.raw);
    if (!account) void sendError(reply, "not-signed-in");
    return account;
  };

  /** The organiser's own room named in the URL, or undefined after answering 404. */
  const ownRoom = async (account: AccountRef, rawId: string, reply: FastifyReply) => {
    const id = RoomId.safeParse(rawId);
    const room = id.success ? await deps.store.rooms.find(id.data) : undefined;
    if (room?.ownerAccountId === account.id) return room;
    void sendError(reply, "room-not-found");
    return undefined;
  };

  app.register(async (scope) => {
    scope.addHook("onRequest", sameOriginJson(deps.publicUrl));
    scope.addHook("onSend", noStore);

    scope.get("/api/my/rooms", async (request, reply) => {
      const account = await organiser(request, reply);
      if (!account) return reply;
      const rooms = await deps.store.rooms.listByOwner(account.id);
      return { rooms: rooms.map(view) };
    });

    scope.post("/api/my/rooms", async (request, reply) => {
      const account = await organiser(request, reply);
      if (!account) return reply;
      const body = CreateBody.safeParse(request.body);
      if (!body.success) return sendError(reply, "bad-request", issues(body.error));
      const { name, lobby, chat, e2ee, postQuantum, password } = body.data;
      const created = await deps.directory.create({
        name,
        ownerAccountId: account.id,
        defaults: { lobby, chat, e2ee, ...(postQuantum ? { postQuantum } : {}) },
        ...(password !== undefined ? { password } : {}),
      });
      const room = await deps.store.rooms.find(created.id);
      if (!room) throw new Error("a room just created is missing");
      // The moderator secret travels in the fragment, never sent to a server.
      const moderatorUrl = `${roomUrl(created.id)}#mod=${created.moderatorToken}`;
      return reply.code(201).send({ ...view(room), moderatorUrl });
    });

    scope.patch<{ Params: { id: string } }>("/api/my/rooms/:id", async (request, reply) => {
      const account = await organiser(request, reply);
      if (!account) return reply;
      const room = await ownRoom(account, request.params.id, reply);
      if (!room) return reply;
      const body = PatchBody.safeParse(request.body);
      if (!body.success) return sendError(reply, "bad-request", issues(body.error));
      const { name, password, ...defaults } = body.data;
      await deps.store.rooms.update(room.id, {
        ...(name !== undefined ? { name } : {}),
        ...(Object.keys(defaults).length > 0
          ? { defaults: { ...room.defaults, ...defaults } }
          : {}),
        ...(password !== undefined
          ? { passwordHash: password === null ? null : await hashPassword(password) }
          : {}),
      });
      const updated = await deps.store.rooms.find(room.id);
      return updated ? view(updated) : sendError(reply, "room-not-found");
    });

    /** A fresh moderator link; the previous one stops working (only one hash is kept). */
    scope.post<{ Params: { id: string } }>(
      "/api/my/rooms/:id/moderator-link",
      async (request, reply) => {
        const account = await organiser(request, reply);
        if (!account) return reply;
        const room = await ownRoom(account, request.params.id, reply);
        if (!room) return reply;
        const token = newSecret();
        await deps.store.rooms.setModeratorTokenHash(room.id, hashSecret(token));
        return { moderatorUrl: `${roomUrl(room.id)}#mod=${token}` };
      },
    );

    scope.delete<{ Params: { id: string } }>("/api/my/rooms/:id", async (request, reply) => {
      const account = await organiser(request, reply);
      if (!account) return reply;
      const room = await ownRoom(account, request.params.id, reply);
      if (!room) return reply;
      // A meeting under way goes on until its people leave; nobody new can enter.
      await deps.store.rooms.delete(room.id);
      return reply.code(204).send();
    });
  });
}

function issues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
}
