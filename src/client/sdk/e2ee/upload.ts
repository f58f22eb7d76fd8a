import type { CommitRequest } from "./group";

/**
 * A signalling frame holds 64 KiB. A commit that adds many members, or the
 * Welcome that carries a large ratchet tree (X-Wing keys are 1216 bytes each),
 * can be several times that: such fields go ahead in `mls-upload` parts and
 * the `mls-commit` carries only their last part. Parts are multiples of four
 * base64 characters, so each is valid base64 on its own.
 */
const PART_CHARS = 24_000;
/** Both fields inline below this: well under the frame with the JSON around them. */
const INLINE_CHARS = 48_000;

export interface CommitChannel {
  upload(field: "commit" | "welcome", data: string): Promise<unknown>;
  commit(submission: CommitRequest): Promise<unknown>;
}

/** Sends a commit (and its Welcome) of any size; the server reassembles the parts. */
export async function sendCommit(channel: CommitChannel, submission: CommitRequest): Promise<void> {
  if (submission.commit.length + (submission.welcome?.length ?? 0) <= INLINE_CHARS) {
    await channel.commit(submission);
    return;
  }
  const commit = await uploadAllButLast(channel, "commit", submission.commit);
  const welcome =
    submission.welcome === undefined
      ? undefined
      : await uploadAllButLast(channel, "welcome", submission.welcome);
  await channel.commit({ ...submission, commit, ...(welcome ? { welcome } : {}) });
}

async function uploadAllButLast(
  channel: CommitChannel,
  field: "commit" | "welcome",
  text: string,
): Promise<string> {
  let at = 0;
  while (text.length - at > PART_CHARS) {
    await channel.upload(field, text.slice(at, at + PART_CHARS));
    at += PART_CHARS;
  }
  return text.slice(at);
}
