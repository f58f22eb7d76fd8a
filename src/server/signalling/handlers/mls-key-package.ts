import { MlsRefusal } from "../../e2ee/mls-parse";
import { ProtocolError } from "../errors";
import type { Handler } from "./index";
import { delivery } from "./mls-e2ee";

/**
 * A member's KeyPackage, held until the committer adds them (or they leave).
 * The server checks what it can of it (suite, signature, and that its
 * credential names the session's participant) so that the committer never
 * gets a KeyPackage it would fail on.
 */
export const mlsKeyPackage: Handler<"mls-key-package"> = async (session, message) => {
  const { ds, selfId } = delivery(session);
  try {
    return await ds.offerKeyPackage(selfId, message.keyPackage);
  } catch (error) {
    if (error instanceof MlsRefusal) throw new ProtocolError(error.code, error.message);
    throw error;
  }
};
