import { ProtocolError } from "../errors";
import type { Handler } from "./index";
import { delivery } from "./mls-e2ee";

/** A commit to the room's MLS group: the first for an epoch wins, later ones retry. */
export const mlsCommit: Handler<"mls-commit"> = (session, message) => {
  const { ds, selfId } = delivery(session);
  const outcome = ds.commit(selfId, message);
  if (outcome === "stale") throw new ProtocolError("mls-stale");
  if (outcome === "not-member") throw new ProtocolError("forbidden");
  if (outcome === "invalid") throw new ProtocolError("bad-message", "unknown member in commit");
  return {};
};
