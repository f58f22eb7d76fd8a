import type { FastifyReply } from "fastify";
import { HTTP_ERRORS, type HttpErrorCode } from "../../protocol/http-errors";

/** Answers with a catalogue error; `detail` (e.g. which field is wrong) refines the message. */
export function sendError(reply: FastifyReply, code: HttpErrorCode, detail?: string) {
  const { status, message } = HTTP_ERRORS[code];
  return reply.code(status).send({ code, message: detail ? `${message} ${detail}` : message });
}
