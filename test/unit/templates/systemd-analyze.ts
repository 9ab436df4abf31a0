/** What the systemd-analyze tests (verify, security) share: the binary, and units as files. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadTemplates } from "../../../infra/templates";
import { planUnits, type UnitFile } from "../../../infra/plan/units";
import { nativeSettings } from "../plan/fixtures";

/** Path of systemd-analyze; fails the test (not skips it) where systemd is missing. */
export function systemdAnalyze(): string {
  const r = spawnSync("sh", ["-c", "command -v systemd-analyze"], { encoding: "utf8" });
  const path = r.stdout.trim();
  if (r.status !== 0 || path === "") {
    assert.fail("systemd-analyze not found: install systemd (Debian: apt-get install systemd); CI installs it");
  }
  return path;
}

/** Writes each unit under its own name in a fresh temp dir, runs `fn` on the paths, removes the dir. */
export function withUnitFiles<T>(units: ReadonlyArray<{ name: string; content: string }>, fn: (files: string[]) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "ocs-units-"));
  try {
    return fn(
      units.map((u) => {
        const f = join(dir, u.name);
        writeFileSync(f, u.content);
        return f;
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The native watcher unit, the base of the "the check can fail" cases. */
export function nativeWatchUnit(): UnitFile {
  return planUnits(nativeSettings({ nodePath: process.execPath }), loadTemplates()).find((x) => x.name.endsWith("-watch.service"))!;
}
