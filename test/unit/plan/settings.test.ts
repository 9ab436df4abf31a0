/** Host settings: who the units run as, and host-dependent defaults. */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { decideServiceUser, installPaths } from "../../../infra/plan/settings";
import { toOnCalendar, writablePaths } from "../../../infra/plan/units";
import { planRoute } from "../../../infra/plan/route";
import { planWrapper } from "../../../infra/plan/wrapper";
import { dockerSettings, nativeSettings, stack } from "./fixtures";

const acct = (name: string) => ({ name });

describe("service account", () => {
  const cases: [string, Record<string, unknown>, string, string, boolean, string][] = [
    ["native, one account", {}, "claw", "claw", false, "claw"],
    ["docker", { mode: "docker" }, "admin", "admin", false, "root"],
    ["Claude login of another account", {}, "claw", "alice", false, "root"],
    ["notification secrets", {}, "claw", "claw", true, "root"],
    ["explicit", { serviceUser: "svc" }, "claw", "alice", true, "svc"],
  ];
  for (const [name, extra, a, c, secrets, expected] of cases) {
    test(`${name} → ${expected}`, () => {
      assert.equal(decideServiceUser(stack({ host: "h", ...extra }), acct(a), acct(c), secrets).name, expected);
    });
  }
});

describe("settings and small planners", () => {
  test("install paths under the prefix", () => {
    assert.deepEqual(installPaths("/opt/ocs"), {
      bundle: "/opt/ocs/lib/openclaw-oauth-sync/openclaw-oauth-sync.cjs",
      bin: "/opt/ocs/bin/openclaw-oauth-sync",
      configFile: "/etc/openclaw-oauth-sync/config.json",
      secretsFile: "/etc/openclaw-oauth-sync/secrets.json",
      syncStateDir: "/var/lib/openclaw-oauth-sync",
    });
  });

  test("era: explicit storageEra wins over the facts", () => {
    assert.equal(nativeSettings().era, "json-split");
    assert.equal(nativeSettings({ storageEra: "json" }).era, "json");
  });

  test("OnCalendar from the interval", () => {
    assert.equal(toOnCalendar("15min"), "*-*-* *:0/15:00");
    assert.equal(toOnCalendar("6h"), "*-*-* 0/6:00:00");
    assert.equal(toOnCalendar("hourly"), "hourly");
  });

  test("writable paths: the state dir, plus target dirs outside it", () => {
    assert.deepEqual(writablePaths(nativeSettings()), ["/home/claw/.openclaw"]);
    assert.deepEqual(writablePaths(nativeSettings({ targets: [{ kind: "env", path: "/srv/compose/.env" }] })), ["/home/claw/.openclaw", "/srv/compose"]);
  });

  test("route names the era's mechanism", () => {
    assert.equal(planRoute(dockerSettings()), "docker: auth-store (sqlite store via `openclaw models auth paste-token`) + .env (ANTHROPIC_OAUTH_TOKEN fallback); reload: secrets-reload");
  });

  test("the wrapper execs node with the bundle and config, quoted", () => {
    const w = planWrapper(nativeSettings({ installPrefix: "/opt/it's" }));
    assert.equal(w.path, "/opt/it's/bin/openclaw-oauth-sync");
    assert.match(w.content, /^exec '\/usr\/bin\/node' '\/opt\/it'\\''s\/lib\/openclaw-oauth-sync\/openclaw-oauth-sync\.cjs' --config '\/etc\/openclaw-oauth-sync\/config\.json' "\$@"$/m);
  });
});
