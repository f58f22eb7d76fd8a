/**
 * The one entry to every patch of werift (./manifest.ts): checks all their
 * guards, then installs what the configuration asks for.
 *
 * With the fast path on (PLENUM_FASTPATH=1 or js) any failed guard stops the
 * start, naming every reason: a werift or Node upgrade must be reviewed, not
 * run blind. With PLENUM_FASTPATH=0 the server starts on any werift: fixes
 * whose guard fails are left out and reported, so the operator knows what
 * will not work (ICE restarts, Firefox publishing, per-layer NACKs).
 */
import { loadNativeMedia } from "../../native";
import { weriftVersion } from "./guard";
import { type PatchOptions, WERIFT_PATCHES, type WeriftPatch } from "./manifest";

export interface PatchProblem {
  patch: string;
  reason: string;
}

function wanted(patch: WeriftPatch, options: PatchOptions): boolean {
  if (patch.kind === "fix") return true;
  return patch.kind === "fast-path" ? options.fastPath : options.fastPath && options.native;
}

/** What stops each wanted patch from applying; patches nothing. */
export function checkWeriftPatches(
  options: PatchOptions,
  version = weriftVersion(),
): PatchProblem[] {
  const problems: PatchProblem[] = [];
  for (const patch of WERIFT_PATCHES.filter((p) => wanted(p, options))) {
    try {
      patch.check(version);
    } catch (error) {
      problems.push({ patch: patch.name, reason: (error as Error).message });
    }
  }
  return problems;
}

/**
 * Checks every guard, then installs; idempotent, process-wide and permanent.
 * Throws when the fast path is on and a guard fails; returns the fixes left
 * out otherwise. `native` reports whether the native helpers are in use.
 */
export function installWeriftPatches(
  options: PatchOptions,
  version = weriftVersion(),
): { native: boolean; skipped: PatchProblem[] } {
  const problems = checkWeriftPatches(options, version);
  if (options.fastPath && problems.length > 0)
    throw new Error(
      `werift patches refused (werift ${version}, Node ${process.version}):\n${problems.map((p) => `  ${p.patch}: ${p.reason}`).join("\n")}`,
    );
  const failed = new Set(problems.map((p) => p.patch));
  for (const patch of WERIFT_PATCHES)
    if (wanted(patch, options) && !failed.has(patch.name)) patch.install(options);
  const native = options.fastPath && options.native && loadNativeMedia().media !== undefined;
  return { native, skipped: problems };
}
