import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";

/** The served client's fingerprint, for comparing with a released build. */
export interface ClientBuild {
  /** SHA-256 (hex) of the manifest below. */
  sha256: string;
  files: number;
}

/**
 * The SHA-256 of a built client directory (docs/E2EE.md, "The code you run"):
 * the manifest lists every file as `sha256sum` prints it — the file's SHA-256
 * in hex, two spaces, its path relative to the directory with `/` separators,
 * a newline — sorted by path in byte order; the digest is the SHA-256 of that
 * manifest. So anyone can recompute it with coreutils:
 * `cd dist/client && find . -type f -printf '%P\n' | LC_ALL=C sort | xargs sha256sum | sha256sum`.
 */
export async function clientBuildDigest(dir: string): Promise<ClientBuild> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const paths = entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join("/"))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  let manifest = "";
  for (const path of paths) {
    const hash = createHash("sha256")
      .update(await readFile(join(dir, path)))
      .digest("hex");
    manifest += `${hash}  ${path}\n`;
  }
  return { sha256: createHash("sha256").update(manifest).digest("hex"), files: paths.length };
}
