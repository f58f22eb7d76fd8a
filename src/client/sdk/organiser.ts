import type { HttpErrorBody, HttpErrorCode } from "../../protocol/http-errors";
import { withE2ee } from "./links";

/** A refused request, with the catalogue code the UI translates ("network" when no answer came). */
export class ApiError extends Error {
  constructor(
    readonly code: HttpErrorCode | "network" | "unexpected",
    readonly status: number,
    message: string,
    /** Seconds to wait before trying again (for `login-throttled`). */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface RoomSettings {
  lobby: boolean;
  chat: boolean;
  e2ee: boolean;
  /** The post-quantum hybrid suite (X-Wing) for the meeting's MLS group. */
  postQuantum: boolean;
}

export interface OrganiserRoom extends RoomSettings {
  id: string;
  name: string;
  url: string;
  hasPassword: boolean;
  createdAt: number;
}

export interface NewRoom extends RoomSettings {
  name: string;
  password?: string;
}

/**
 * The organiser REST API (docs/API.md). The session cookie is HttpOnly: this
 * code never sees it; the browser sends it with every same-origin request.
 * State changes go as JSON, which (with the browser's Origin header) is what
 * the server's CSRF check asks for.
 */
async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(
      path,
      method === "GET"
        ? { method }
        : {
            method,
            headers: { "content-type": "application/json" },
            body: JSON.stringify(body ?? {}),
          },
    );
  } catch {
    throw new ApiError("network", 0, "The server could not be reached.");
  }
  if (response.status === 204) return undefined as T;
  const data = (await response.json().catch(() => undefined)) as T | HttpErrorBody | undefined;
  if (response.ok) return data as T;
  const error = data as HttpErrorBody | undefined;
  const retry = Number(response.headers.get("retry-after"));
  throw new ApiError(
    error?.code ?? "unexpected",
    response.status,
    error?.message ?? `HTTP ${response.status}`,
    Number.isFinite(retry) && retry > 0 ? retry : undefined,
  );
}

/** The links an organiser shares carry the room's encryption in their fragment (see links.ts). */
function committed<R extends OrganiserRoom & { moderatorUrl?: string }>(room: R): R {
  return {
    ...room,
    url: withE2ee(room.url, room.e2ee),
    ...(room.moderatorUrl ? { moderatorUrl: withE2ee(room.moderatorUrl, room.e2ee) } : {}),
  };
}

export const organiser = {
  /** The signed-in organiser, or undefined for nobody. */
  async me(): Promise<{ username: string } | undefined> {
    try {
      return await call<{ username: string }>("GET", "/api/auth/me");
    } catch (error) {
      if (error instanceof ApiError && error.code === "not-signed-in") return undefined;
      throw error;
    }
  },
  options: () => call<{ password: boolean; oidc: boolean }>("GET", "/api/auth/options"),
  login: (username: string, password: string) =>
    call<{ username: string }>("POST", "/api/auth/login", { username, password }),
  logout: () => call<void>("POST", "/api/auth/logout"),
  /** Where the browser goes to sign in through the organisation's identity provider. */
  oidcStartUrl: "/api/auth/oidc/start",
  rooms: async () =>
    (await call<{ rooms: OrganiserRoom[] }>("GET", "/api/my/rooms")).rooms.map(committed),
  createRoom: async (room: NewRoom) =>
    committed(await call<OrganiserRoom & { moderatorUrl: string }>("POST", "/api/my/rooms", room)),
  /** Changes name or settings; `password: null` removes the password. */
  updateRoom: async (
    id: string,
    change: Partial<RoomSettings & { name: string; password: string | null }>,
  ) =>
    committed(
      await call<OrganiserRoom>("PATCH", `/api/my/rooms/${encodeURIComponent(id)}`, change),
    ),
  deleteRoom: (id: string) => call<void>("DELETE", `/api/my/rooms/${encodeURIComponent(id)}`),
  /** A fresh moderator link; the previous one stops working. */
  newModeratorLink: async (room: Pick<OrganiserRoom, "id" | "e2ee">) => {
    const { moderatorUrl } = await call<{ moderatorUrl: string }>(
      "POST",
      `/api/my/rooms/${encodeURIComponent(room.id)}/moderator-link`,
    );
    return { moderatorUrl: withE2ee(moderatorUrl, room.e2ee) };
  },
};
