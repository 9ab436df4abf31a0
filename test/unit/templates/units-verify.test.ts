/**
 * The rendered units pass `systemd-analyze verify` with no output at all: it exits 0 on mere
 * warnings (unknown keys, bad values), so any stderr line fails the test (facts/test-hosts.md §7).
 * ExecStart binaries are resolved on this machine: the units are rendered with this process's node.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { loadTemplates } from "../../../infra/templates";
import { planUnits } from "../../../infra/plan/units";
import { dockerSettings, nativeSettings } from "../plan/fixtures";
import { nativeWatchUnit, systemdAnalyze, withUnitFiles } from "./systemd-analyze";


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
      withUnitFiles(planUnits(settings(), loadTemplates()), (files) => {
        const r = spawnSync(bin, ["verify", ...files], { encoding: "utf8", timeout: 30_000, env: { ...process.env, SYSTEMD_LOG_COLOR: "0" } });
        assert.equal(r.error, undefined, `systemd-analyze did not run: ${r.error?.message}`);
        assert.equal(r.stderr, "", `systemd-analyze verify printed:\n${r.stderr}`);
        assert.equal(r.status, 0, `systemd-analyze verify exited ${r.status}`);
      });
    });
  }

  test("a deliberately broken unit is reported (the check can fail)", () => {
    const bin = systemdAnalyze();
    const u = nativeWatchUnit();
    withUnitFiles([{ name: u.name, content: u.content.replace("Restart=on-failure", "Restart=sometimes") }], ([f]) => {
      const r = spawnSync(bin, ["verify", f!], { encoding: "utf8", timeout: 30_000 });
      assert.match(r.stderr, /restart specifier/i, "systemd-analyze should warn about Restart=sometimes");
    });
  });
});
