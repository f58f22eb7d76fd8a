import { PROTOCOL_VERSION } from "../../../protocol/messages";
import { ProtocolError } from "../errors";
import type { Handler } from "./index";

/** The greeting: both sides must speak the same protocol version. */
export const hello: Handler<"hello"> = (session, message) => {
  if (session.state.state !== "awaiting-hello") throw new ProtocolError("already-greeted");
  if (message.protocolVersion !== PROTOCOL_VERSION) {
    throw new ProtocolError(
      "version-mismatch",
      `The server speaks protocol version ${PROTOCOL_VERSION}, the client ${message.protocolVersion}; reload the page.`,
    );
  }
  session.greeted();
  return { protocolVersion: PROTOCOL_VERSION };
};
