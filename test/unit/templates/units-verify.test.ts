/**
 * The rendered units pass `systemd-analyze verify` with no output at all: it exits 0 on mere
 * warnings (unknown keys, bad values), so any stderr line fails the test (facts/test-hosts.md §7).
 * ExecStart binaries are resolved on this machine: the units are rendered with this process's node.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { loadTemplates } from "../../../infra/templates";
import { planUnits } from "../../../infra/plan/units";
import { dockerSettings, nativeSettings } from "../plan/fixtures";

function systemdAnalyze(): string {
  const r = spawnSync("sh", ["-c", "command -v systemd-analyze"], { encoding: "utf8" });
  const path = r.stdout.trim();
  if (r.status !== 0 || path === "") {
    assert.fail("systemd-analyze not found: install systemd (Debian: apt-get install systemd); CI installs it");
  }
  return path;
}

const cases = {
  native: () => nativeSettings({ nodePath: process.execPath }),
  docker: () => dockerSettings({ nodePath: process.execPath }),
  "odd paths": () =>
    nativeSettings({
      nodePath: process.execPath,
      installPrefix: "/opt/with space/100%",
      refreshInterval: "hourly",
      targets: [{ kind: "oauth-json", path: "/srv/o c/$HOME/credentials/oauth.json" }],
    }),
};

describe("systemd-analyze verify", () => {
  for (const [name, settings] of Object.entries(cases)) {
    test(`${name}: every rendered unit verifies with no output`, () => {
      const bin = systemdAnalyze();
      const dir = mkdtempSync(join(tmpdir(), "ocs-verify-"));
      try {
        const units = planUnits(settings(), loadTemplates());
        const files = units.map((u) => {
          const f = join(dir, u.name);
          writeFileSync(f, u.content);
          return f;
        });
        const r = spawnSync(bin, ["verify", ...files], { encoding: "utf8", timeout: 30_000, env: { ...process.env, SYSTEMD_LOG_COLOR: "0" } });
        assert.equal(r.error, undefined, `systemd-analyze did not run: ${r.error?.message}`);
        assert.equal(r.stderr, "", `systemd-analyze verify printed:\n${r.stderr}`);
        assert.equal(r.status, 0, `systemd-analyze verify exited ${r.status}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  test("a deliberately broken unit is reported (the check can fail)", () => {
    const bin = systemdAnalyze();
    const dir = mkdtempSync(join(tmpdir(), "ocs-verify-"));
    try {
      const u = planUnits(nativeSettings({ nodePath: process.execPath }), loadTemplates()).find((x) => x.name.endsWith("-watch.service"))!;
      const f = join(dir, u.name);
      writeFileSync(f, u.content.replace("Restart=on-failure", "Restart=sometimes"));
      const r = spawnSync(bin, ["verify", f], { encoding: "utf8", timeout: 30_000 });
      assert.match(r.stderr, /restart specifier/i, "systemd-analyze should warn about Restart=sometimes");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
