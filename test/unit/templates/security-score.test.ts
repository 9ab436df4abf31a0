/**
 * Every service unit of every golden variant reaches a `systemd-analyze security` exposure of
 * 2.5 or lower (issue 8 item 3). Scored offline (no running manager needed) from the rendered
 * units: the same renders units-golden.test.ts compares with test/golden/systemd/. Timers are not
 * scored by systemd. Each score is printed as a diagnostic so SECURITY.md's table can be checked.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { loadTemplates } from "../../../infra/templates";
import { planUnits } from "../../../infra/plan/units";
import { dockerSettings, nativeSettings } from "../plan/fixtures";
import { nativeWatchUnit, systemdAnalyze, withUnitFiles } from "./systemd-analyze";

const MAX_EXPOSURE = 2.5;


/** `→ Overall exposure level for x.service: 1.4 OK 🙂` → 1.4 */
export function parseExposure(output: string): number | undefined {
  const m = /Overall exposure level for \S+: (\d+(?:\.\d+)?)/.exec(output);
  return m ? Number(m[1]) : undefined;
}

function exposureOf(bin: string, file: string): { score: number; output: string } {
  const r = spawnSync(bin, ["security", "--offline=yes", "--no-pager", file], {
    encoding: "utf8",
    timeout: 30_000,
    env: { ...process.env, SYSTEMD_LOG_COLOR: "0", SYSTEMD_COLORS: "0" },
  });
  assert.equal(r.error, undefined, `systemd-analyze security did not run on ${file}: ${r.error?.message}`);
  const output = `${r.stdout}\n${r.stderr}`;
  const score = parseExposure(output);
  assert.ok(score !== undefined, `no "Overall exposure level" line from systemd-analyze security ${file}:\n${output}`);
  return { score, output };
}

/** The same variants as the golden files (test/golden/systemd/<variant>/). */
const cases = {
  native: () => nativeSettings({ nodePath: process.execPath }),
  docker: () => dockerSettings({ nodePath: process.execPath }),
  "native-no-alert": () => nativeSettings({ nodePath: process.execPath, alertOnFailure: false, refreshInterval: "1h" }),
};

describe("systemd-analyze security exposure", () => {
  for (const [name, settings] of Object.entries(cases)) {
    test(`${name}: every service unit scores ${MAX_EXPOSURE} or lower`, (t) => {
      const bin = systemdAnalyze();
      const services = planUnits(settings(), loadTemplates()).filter((u) => u.name.endsWith(".service"));
      assert.ok(services.length >= 2, `expected at least watch and refresh services, got ${services.map((u) => u.name).join(", ")}`);
      withUnitFiles(services, (files) => {
        const over: string[] = [];
        services.forEach((u, i) => {
          const { score, output } = exposureOf(bin, files[i]!);
          t.diagnostic(`${name} ${u.name}: exposure ${score.toFixed(1)}`);
          if (score > MAX_EXPOSURE) over.push(`${u.name}: ${score} > ${MAX_EXPOSURE}\n${output}`);
        });
        assert.deepEqual(over, [], `units above the exposure limit:\n${over.join("\n")}`);
      });
    });
  }

  test("the check can fail: a unit with the hardening stripped scores above the limit", () => {
    const bin = systemdAnalyze();
    const u = nativeWatchUnit();
    const stripped = u.content
      .split("\n")
      .filter((l) => !/^(SystemCallFilter|RestrictNamespaces|CapabilityBoundingSet|ProtectSystem|PrivateDevices)=/.test(l))
      .join("\n");
    withUnitFiles([{ name: u.name, content: stripped }], ([f]) => {
      const { score } = exposureOf(bin, f!);
      assert.ok(score > MAX_EXPOSURE, `stripped unit scored ${score}, expected above ${MAX_EXPOSURE}`);
    });
  });

  test("parseExposure reads systemd's summary line", () => {
    assert.equal(parseExposure("→ Overall exposure level for a@i.service: 2.3 OK 🙂"), 2.3);
    assert.equal(parseExposure("nothing here"), undefined);
  });
});
