import { MAX_LOBBY_TEXT } from "../../../protocol/lobby";
import { ProtocolError } from "../errors";

/**
 * A moderator's text for the lobby, trimmed and checked (SPEC LOBBY-4,
 * LOBBY-5); undefined when it is empty. Counted in code points, as people
 * count characters.
 */
export function lobbyText(text: string | undefined): string | undefined {
  const trimmed = text?.trim();
  if (!trimmed) return undefined;
  if ([...trimmed].length > MAX_LOBBY_TEXT) throw new ProtocolError("lobby-text-too-long");
  return trimmed;
}
