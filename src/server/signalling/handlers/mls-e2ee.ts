import type { DeliveryService } from "../../e2ee/delivery";
import { ProtocolError } from "../errors";
import type { Session } from "../session";

/** The room's MLS delivery service; `e2ee-off` in a meeting without end-to-end encryption. */
export function delivery(session: Session): { ds: DeliveryService; selfId: string } {
  const { room, self } = session.joined();
  if (!room.mls) throw new ProtocolError("e2ee-off");
  return { ds: room.mls, selfId: self.id };
}
