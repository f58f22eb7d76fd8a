import { MlsRefusal } from "./mls-parse";

/**
 * A commit or Welcome larger than one signalling frame (64 KiB) arrives in
 * parts (`mls-upload`), the last part inline in the `mls-commit` itself. An
 * X-Wing Welcome for 50 members is about 190 KB (docs/SECURITY.md). Parts are
 * kept per member until their commit, bounded, and dropped when they leave.
 */
export const MAX_UPLOAD_CHARS = 4 * 1024 * 1024;

export type UploadField = "commit" | "welcome";

export class Uploads {
  private readonly parts = new Map<string, { commit: string[]; welcome: string[]; size: number }>();

  /** Appends a part; refuses (and forgets everything uploaded) past the bound. */
  add(from: string, field: UploadField, data: string): void {
    let entry = this.parts.get(from);
    if (!entry) {
      entry = { commit: [], welcome: [], size: 0 };
      this.parts.set(from, entry);
    }
    entry.size += data.length;
    if (entry.size > MAX_UPLOAD_CHARS) {
      this.parts.delete(from);
      throw new MlsRefusal("mls-too-large", "the upload exceeds the delivery service's bound");
    }
    entry[field].push(data);
  }

  /** The submission with the uploaded parts prepended; the parts are used up either way. */
  complete<T extends { commit: string; welcome?: string | undefined }>(
    from: string,
    submission: T,
  ): T {
    const entry = this.parts.get(from);
    if (!entry) return submission;
    this.parts.delete(from);
    const welcome =
      entry.welcome.length > 0
        ? entry.welcome.join("") + (submission.welcome ?? "")
        : submission.welcome;
    return { ...submission, commit: entry.commit.join("") + submission.commit, welcome };
  }

  forget(from: string): void {
    this.parts.delete(from);
  }
}
