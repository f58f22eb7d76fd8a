import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/**
 * Debian packages the test suite drives for real, with the binary that shows
 * each is installed. Tests never skip for want of one: this installs them
 * (as root) or stops with the command to run.
 */
export const PACKAGES: { pkg: string; binary: string; why: string }[] = [
  { pkg: "chromium", binary: "/usr/bin/chromium", why: "browser end-to-end tests" },
  {
    pkg: "nftables",
    binary: "/usr/sbin/nft",
    why: "random packet loss in the impaired-network tests",
  },
  { pkg: "iputils-ping", binary: "/usr/bin/ping", why: "checking the test networks themselves" },
  {
    pkg: "strace",
    binary: "/usr/bin/strace",
    why: "the egress test that records every connection of the server",
  },
  {
    pkg: "janus",
    binary: "/usr/bin/janus",
    why: "the baseline of the benchmark harness's smoke test",
  },
];

export function ensurePackages(): void {
  const missing = PACKAGES.filter((p) => !existsSync(p.binary));
  if (missing.length === 0) return;
  const names = missing.map((p) => p.pkg);
  if (process.getuid?.() !== 0) {
    const list = missing.map((p) => `  ${p.pkg} (${p.why})`).join("\n");
    console.error(
      `The test suite needs these Debian packages:\n${list}\n\nInstall them with:\n  sudo apt-get update && sudo apt-get install -y ${names.join(" ")}\n`,
    );
    process.exit(1);
  }
  console.log(`Installing ${names.join(", ")} (apt-get) ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  const install = spawnSync(
    "apt-get",
    ["install", "-y", "-qq", "--no-install-recommends", ...names],
    {
      stdio: "inherit",
      env,
    },
  );
  const still = missing.filter((p) => !existsSync(p.binary));
  if (install.status !== 0 || still.length > 0) {
    console.error(
      `apt-get could not install: ${still.map((p) => p.pkg).join(", ") || names.join(", ")}`,
    );
    process.exit(1);
  }
}
