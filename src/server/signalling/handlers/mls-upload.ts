import { MlsRefusal } from "../../e2ee/mls-parse";
import { ProtocolError } from "../errors";
import type { Handler } from "./index";
import { delivery } from "./mls-e2ee";

/** A part of a large commit or Welcome, kept until this member's next `mls-commit`. */
export const mlsUpload: Handler<"mls-upload"> = (session, message) => {
  const { ds, selfId } = delivery(session);
  if (!ds.isMember(selfId)) throw new ProtocolError("forbidden");
  try {
    ds.uploads.add(selfId, message.field, message.data);
  } catch (error) {
    if (error instanceof MlsRefusal) throw new ProtocolError(error.code, error.message);
    throw error;
  }
  return {};
};
