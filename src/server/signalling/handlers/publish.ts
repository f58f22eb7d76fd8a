import { ProtocolError } from "../errors";
import type { Handler } from "./index";

/** The client's upstream offer: what it will send. Answered with the SFU's SDP. */
export const publish: Handler<"publish"> = async (session, message) => {
  const { self } = session.joined();
  try {
    return { sdp: await self.peer.publish(message.sdp, message.tracks) };
  } catch (error) {
    throw new ProtocolError(
      "media-failed",
      `The offer could not be used: ${(error as Error).message}`,
    );
  }
};
