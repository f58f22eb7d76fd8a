import type { Handler } from "./index";
import { delivery } from "./mls-e2ee";

/**
 * A member's KeyPackage, held until the committer adds them (or they leave).
 * The sender's identity is the session's participant: the KeyPackage's
 * credential is checked by the members, who compare safety numbers.
 */
export const mlsKeyPackage: Handler<"mls-key-package"> = (session, message) => {
  const { ds, selfId } = delivery(session);
  return ds.offerKeyPackage(selfId, message.keyPackage);
};
