import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { decideEra, type EraFacts } from "../../../runtime/src/openclaw/era";
import { eraForVersion, parseOpenClawVersion } from "../../../runtime/src/contract/era";
import { agentIdFromDir } from "../../../runtime/src/openclaw/paths";

const none: EraFacts = { agentSqlite: false, sharedSqlite: false, authStateJson: false };

describe("decideEra", () => {
  const cases: Array<[string, EraFacts, string, boolean]> = [
    ["per-agent sqlite", { ...none, agentSqlite: true, authStateJson: true }, "sqlite", false],
    ["shared sqlite only (2026.9.6)", { ...none, sharedSqlite: true }, "sqlite", false],
    ["sqlite beats an old version", { ...none, sharedSqlite: true, version: "2026.2.26" }, "sqlite", false],
    // 2026.6.1 creates state/openclaw.sqlite but keeps auth in JSON: a configured version says so;
    // meta.lastTouchedVersion alone does not (it may predate an upgrade).
    ["shared sqlite + configured 2026.6.1 + auth-state.json", { ...none, sharedSqlite: true, authStateJson: true, version: "2026.6.1", versionConfigured: true }, "json-split", false],
    ["shared sqlite + configured 2026.6.1, empty agent dir", { ...none, sharedSqlite: true, version: "2026.6.1", versionConfigured: true }, "json-split", false],
    ["shared sqlite + lastTouchedVersion 2026.6.1", { ...none, sharedSqlite: true, version: "2026.6.1", versionConfigured: false }, "sqlite", false],
    ["shared sqlite + configured 2026.9.6", { ...none, sharedSqlite: true, version: "2026.9.6", versionConfigured: true }, "sqlite", false],
    ["auth-state.json", { ...none, authStateJson: true, version: "2026.2.26" }, "json-split", false],
    ["state keys inside auth-profiles.json", { ...none, profilesHasStateKeys: true, version: "2026.9.6" }, "json", false],
    ["no files, 2026.4.6", { ...none, version: "2026.4.6" }, "json", false],
    ["no files, 2026.4.6-beta.1 counts as 2026.4.6", { ...none, version: "2026.4.6-beta.1" }, "json", false],
    ["no files, 2026.4.7", { ...none, version: "2026.4.7" }, "json-split", false],
    // Boundaries seen in real releases (test/compat): 2026.5.28 and 2026.6.1 load auth-profiles.json,
    // 2026.6.5 and 2026.6.11 keep the store in openclaw-agent.sqlite.
    ["no files, 2026.5.28", { ...none, version: "2026.5.28" }, "json-split", false],
    ["no files, 2026.6.1", { ...none, version: "2026.6.1" }, "json-split", false],
    ["no files, 2026.6.5", { ...none, version: "2026.6.5" }, "sqlite", false],
    ["no files, 2026.6.11", { ...none, version: "2026.6.11" }, "sqlite", false],
    ["no files, 2026.7.1-2", { ...none, version: "2026.7.1-2" }, "sqlite", false],
    ["no files, v2026.9.6", { ...none, version: "v2026.9.6" }, "sqlite", false],
    // issue 18: a store file is evidence, not "no store files"; a known version still decides first.
    ["profiles without state keys: the JSON single-file layout", { ...none, profilesHasStateKeys: false }, "json", false],
    ["profiles without state keys + 2026.5.28", { ...none, profilesHasStateKeys: false, version: "2026.5.28" }, "json-split", false],
    ["nothing known", none, "json", true],
    ["unparseable version", { ...none, version: "2.0.0-beta5" }, "json", true],
  ];
  for (const [name, facts, era, guessed] of cases) {
    test(name, () => {
      const d = decideEra(facts);
      assert.equal(d.era, era);
      assert.equal(d.guessed, guessed);
      if (guessed) assert.match(d.reason, /unknown.*assuming json/);
    });
  }

  test("an explicit era wins, and still reports a SQLite store next to it", () => {
    const d = decideEra({ ...none, agentSqlite: true }, "json");
    assert.equal(d.era, "json");
    assert.equal(d.sqlitePresent, true);
    assert.match(d.reason, /set in the target config/);
  });

  test("a JSON-era configured version next to the shared database: no SQLite store reported (forced json is not refused)", () => {
    const d = decideEra({ ...none, sharedSqlite: true, version: "2026.6.1", versionConfigured: true }, "json-split");
    assert.equal(d.sqlitePresent, false);
    assert.equal(decideEra({ ...none, sharedSqlite: true, version: "2026.6.1" }, "json-split").sqlitePresent, true);
  });

  test("issue 18: a profiles-only store is not reported as 'no store files'", () => {
    const d = decideEra({ ...none, profilesHasStateKeys: false });
    assert.doesNotMatch(d.reason, /unknown|no store files/);
    assert.match(d.reason, /auth-profiles\.json/);
  });

  test("the version source is named in the reason", () => {
    assert.match(decideEra({ ...none, version: "2026.5.1", versionSource: "meta.lastTouchedVersion in openclaw.json" }).reason, /2026\.5\.1.*lastTouchedVersion/);
  });
});

describe("versions", () => {
  test("parseOpenClawVersion", () => {
    assert.deepEqual(parseOpenClawVersion("2026.4.12-beta.1"), [2026, 4, 12]);
    assert.deepEqual(parseOpenClawVersion("v2026.10.1"), [2026, 10, 1]);
    assert.equal(parseOpenClawVersion("latest"), undefined);
    assert.equal(parseOpenClawVersion("2026.4"), undefined);
  });
  test("eraForVersion compares numerically, not as strings", () => {
    assert.equal(eraForVersion("2026.10.1"), "sqlite"); // "10" < "7" as strings
    assert.equal(eraForVersion("2026.4.10"), "json-split"); // "10" < "6" as strings
    assert.equal(eraForVersion("2025.12.28"), "json");
  });
});

describe("agentIdFromDir", () => {
  test("default layout gives the id; anything else does not", () => {
    assert.equal(agentIdFromDir("/home/node/.openclaw/agents/work/agent"), "work");
    assert.equal(agentIdFromDir("/home/node/.openclaw/agents/work/agent/"), "work");
    assert.equal(agentIdFromDir("/srv/agents-x/work/agent"), undefined);
    assert.equal(agentIdFromDir("/srv/custom/dir"), undefined);
  });
});
