import type { Role } from "../../protocol/messages";

/** What a person in a meeting may do. Checked on the server for every message (SPEC ROLE-2). */
export type Permission =
  | "publish"
  | "chat"
  | "admit"
  | "message-lobby"
  | "lock"
  | "kick"
  | "mute-others"
  | "request-unmute"
  | "set-role"
  | "change-settings"
  | "end-meeting";

const EVERYONE: Permission[] = ["publish", "chat"];
const MODERATION: Permission[] = [
  "admit",
  "message-lobby",
  "lock",
  "kick",
  "mute-others",
  "request-unmute",
  "set-role",
  "change-settings",
  "end-meeting",
];

/** Roles expand to permission sets here and nowhere else; a new role is a new line. */
export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  moderator: new Set([...EVERYONE, ...MODERATION]),
  participant: new Set(EVERYONE),
  guest: new Set(EVERYONE),
};

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}
