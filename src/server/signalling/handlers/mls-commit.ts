import { MlsRefusal } from "../../e2ee/mls-parse";
import { ProtocolError } from "../errors";
import type { Handler } from "./index";
import { delivery } from "./mls-e2ee";

/**
 * A commit to the room's MLS group: checked (docs/E2EE.md, "Against an active
 * server"), then the first for an epoch wins and later ones retry.
 */
export const mlsCommit: Handler<"mls-commit"> = (session, message) => {
  const { ds, selfId } = delivery(session);
  const { id: _id, type: _type, ...submission } = message;
  try {
    if (ds.commit(selfId, submission) === "stale") throw new ProtocolError("mls-stale");
  } catch (error) {
    if (error instanceof MlsRefusal) throw new ProtocolError(error.code, error.message);
    throw error;
  }
  return {};
};
