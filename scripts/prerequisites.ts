import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

/**
 * Debian packages the test suite drives for real, with the binary that shows
 * each is installed. Tests never skip for want of one: this installs them
 * (as root) or stops with the command to run.
 */
export const PACKAGES: { pkg: string; binary: string | (() => boolean); why: string }[] = [
  { pkg: "chromium", binary: "/usr/bin/chromium", why: "browser end-to-end tests" },
  {
    pkg: "firefox-esr",
    binary: "/usr/bin/firefox-esr",
    why: "browser end-to-end tests in Firefox ESR",
  },
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
    pkg: "postgresql",
    binary: postgresInstalled,
    why: "the store contract and cluster tests (PostgreSQL as the shared store)",
  },
  { pkg: "redis-server", binary: "/usr/bin/redis-server", why: "the cluster tests (Redis)" },
  {
    pkg: "coturn",
    binary: "/usr/bin/turnserver",
    why: "the TURN test with the shipped coturn configuration",
  },
  {
    pkg: "python3-yaml",
    binary: "/usr/lib/python3/dist-packages/yaml/__init__.py",
    why: "parsing compose.yaml in the deployment test",
  },
  {
    pkg: "systemd",
    binary: "/usr/bin/systemd-analyze",
    why: "checking the shipped systemd unit",
  },
  {
    pkg: "janus",
    binary: "/usr/bin/janus",
    why: "the baseline of the benchmark harness's smoke test",
  },
];

/** Debian installs the server under its major version: /usr/lib/postgresql/<version>/bin. */
function postgresInstalled(): boolean {
  const root = "/usr/lib/postgresql";
  return (
    existsSync(root) && readdirSync(root).some((v) => existsSync(join(root, v, "bin/postgres")))
  );
}

function installed(p: (typeof PACKAGES)[number]): boolean {
  return typeof p.binary === "string" ? existsSync(p.binary) : p.binary();
}

export function ensurePackages(): void {
  const missing = PACKAGES.filter((p) => !installed(p));
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
  const still = missing.filter((p) => !installed(p));
  if (install.status !== 0 || still.length > 0) {
    console.error(
      `apt-get could not install: ${still.map((p) => p.pkg).join(", ") || names.join(", ")}`,
    );
    process.exit(1);
  }
}
