/**
 * Rendered units against the reviewed golden files in test/golden/systemd/<case>/.
 * Regenerate with UPDATE_GOLDEN=1 and review the diff.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadTemplates } from "../../../infra/templates";
import { planUnits } from "../../../infra/plan/units";
import { dockerSettings, nativeSettings } from "../plan/fixtures";

const GOLDEN = join(__dirname, "..", "..", "golden", "systemd");
const update = process.env.UPDATE_GOLDEN === "1";

const cases = {
  native: () => nativeSettings(),
  docker: () => dockerSettings(),
  "native-no-alert": () => nativeSettings({ alertOnFailure: false, refreshInterval: "1h" }),
};

describe("golden systemd units", () => {
  for (const [name, settings] of Object.entries(cases)) {
    test(`${name}: rendered units match test/golden/systemd/${name}/`, () => {
      const units = planUnits(settings(), loadTemplates());
      const dir = join(GOLDEN, name);
      if (update) mkdirSync(dir, { recursive: true });
      for (const u of units) {
        const file = join(dir, u.name);
        if (update) writeFileSync(file, u.content);
        assert.ok(existsSync(file), `missing golden file ${file}; run with UPDATE_GOLDEN=1 and review it`);
        assert.equal(u.content, readFileSync(file, "utf8"), `${u.name} differs from ${file} (UPDATE_GOLDEN=1 regenerates)`);
      }
    });
  }
});
