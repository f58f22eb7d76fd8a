import { ERRORS, type ErrorCode } from "../../protocol/errors";

/** A failure the client caused or must know about; becomes an `error` reply with its code. */
export class ProtocolError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string = ERRORS[code],
  ) {
    super(message);
    this.name = "ProtocolError";
  }
}
