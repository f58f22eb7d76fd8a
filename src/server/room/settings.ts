import type { RoomSettings } from "../../protocol/messages";

/**
 * A room's switches, kept in one place so moderation can change them. Chat is
 * on and one screen share at a time is the default: two shares at once split
 * everyone's attention and bandwidth, so a moderator has to ask for it.
 */
export function defaultSettings(): RoomSettings {
  return { chat: true, multipleScreenShares: false };
}

export type { RoomSettings };
