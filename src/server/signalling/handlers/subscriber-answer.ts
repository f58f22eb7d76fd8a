import { ProtocolError } from "../errors";
import type { Handler } from "./index";

/** The client's answer to the server's last `subscriber-offer`. */
export const subscriberAnswer: Handler<"subscriber-answer"> = async (session, message) => {
  const { self } = session.joined();
  try {
    await self.peer.acceptAnswer(message.sdp);
  } catch (error) {
    throw new ProtocolError(
      "media-failed",
      `The answer could not be used: ${(error as Error).message}`,
    );
  }
  return {};
};
