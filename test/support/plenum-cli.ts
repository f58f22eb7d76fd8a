import { spawn } from "node:child_process";
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `plenum …` command as its own process; resolves with its exit and output. */
export function plenum(
  args: string[],
  env: Record<string, string>,
  stdin = "",
): Promise<CliResult> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/server/main.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, PLENUM_LOG_LEVEL: "silent", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  child.stdin.end(stdin);
  return new Promise((done) => child.once("close", (code) => done({ code, stdout, stderr })));
}
