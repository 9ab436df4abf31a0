/** Shared bits of the host-state tests: props that point a provider at the test sshd. */
import type { CommonProps } from "../../infra/hoststate/common";
import { HOSTSTATE_PROVIDER_VERSION } from "../../infra/hoststate/common";
import type { Sshd } from "../helpers/sshd";

export function commonProps(sshd: Sshd): CommonProps {
  const { privateKey, ...host } = sshd.hostRef();
  return { host, sshPrivateKey: privateKey!, providerVersion: HOSTSTATE_PROVIDER_VERSION };
}

/** Runs a shell command on the test host as root, outside the providers (the "hand edit"). */
export function asRootOnHost(cmd: string): string {
  // The sshd runs on this machine and the tests run as root: a hand edit is a local command.
  return require("node:child_process").execFileSync("sh", ["-c", cmd], { encoding: "utf8" });
}

/**
 * The runtime bundle exactly as `npm run build` makes it (dist/runtime/openclaw-oauth-sync.cjs),
 * rebuilt with scripts/build-runtime.mjs only when a runtime source is newer than it.
 */
export function runtimeBundle(): string {
  const fs = require("node:fs") as typeof import("node:fs");
  const path = require("node:path") as typeof import("node:path");
  const repo = path.join(__dirname, "..", "..");
  const bundle = path.join(repo, "dist/runtime/openclaw-oauth-sync.cjs");
  const newest = (dir: string): number =>
    fs.readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
      const p = path.join(dir, e.name);
      return Math.max(m, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
    }, 0);
  if (!fs.existsSync(bundle) || fs.statSync(bundle).mtimeMs < newest(path.join(repo, "runtime/src"))) {
    require("node:child_process").execFileSync(process.execPath, ["scripts/build-runtime.mjs"], { cwd: repo, stdio: "ignore", timeout: 60_000 });
  }
  return bundle;
}
