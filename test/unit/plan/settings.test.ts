/** Host settings: who the units run as, and host-dependent defaults. */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { decideServiceUser, installPaths, resolveSettings, UNIT_NAMES } from "../../../infra/plan/settings";
import { planUnits, toOnCalendar, writableEntries } from "../../../infra/plan/units";
import { loadTemplates } from "../../../infra/templates";
import { planRoute } from "../../../infra/plan/route";
import { planWrapper } from "../../../infra/plan/wrapper";
import { DOCKER_STACK, dockerSettings, facts, NATIVE_STACK, nativeSettings, stack } from "./fixtures";

const acct = (name: string) => ({ name });
const writablePaths = (s: Parameters<typeof writableEntries>[0]) => writableEntries(s).map((e) => e.path);

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
    assert.ok(writableEntries(nativeSettings({ targets: [{ kind: "env", path: "/srv/compose/.env" }] })).every((e) => !e.optional), "target dirs must exist");
  });

  test("writable paths: agent dirs openclaw.json declares outside the state dir, resolved as the runtime does, may be missing", () => {
    const declared = JSON.stringify({
      list: [
        { id: "work", agentDir: "~/agents/work" },
        { id: "ops", agentDir: "/srv/agents/ops" },
        { id: "rel", agentDir: "agents/rel" },
        { id: "in", agentDir: "/home/claw/.openclaw/custom/in" },
        { id: "main" },
      ],
      entries: { night: { agentDir: "/srv/agents/night" } },
    });
    const f = facts("native-debian12");
    const s = resolveSettings(stack(NATIVE_STACK), { ...f, config: { ...f.config, agentsDeclared: declared } }, { hasSecrets: false });
    assert.deepEqual(s.declaredAgentDirs, ["/home/claw/agents/work", "/srv/agents/ops", "/home/claw/.openclaw/custom/in", "/srv/agents/night"]);
    assert.deepEqual(writableEntries(s), [
      { path: "/home/claw/.openclaw", optional: false },
      { path: "/home/claw/agents/work", optional: true },
      { path: "/srv/agents/night", optional: true },
      { path: "/srv/agents/ops", optional: true },
    ]);
    const watch = planUnits(s, loadTemplates()).find((u) => u.name === UNIT_NAMES.watch)!;
    assert.match(watch.content, /^ReadWritePaths=\/home\/claw\/\.openclaw -\/home\/claw\/agents\/work -\/srv\/agents\/night -\/srv\/agents\/ops$/m);
    // Docker: agent dirs are the container's paths; inside its state dir they map into the mounted one.
    const d = facts("docker-sqlite");
    const inContainer = JSON.stringify({ list: [{ id: "w", agentDir: "/home/node/.openclaw/custom/w" }, { id: "x", agentDir: "/data/x" }] });
    const ds = resolveSettings(stack(DOCKER_STACK), { ...d, config: { ...d.config, agentsDeclared: inContainer } }, { hasSecrets: true });
    assert.deepEqual(ds.declaredAgentDirs, [`${d.stateDir.path}/custom/w`]);
    assert.deepEqual(writablePaths(ds), writablePaths(dockerSettings()));
    // Garbage in the fact is no agent dir (the facts script writes JSON; a bad line must not throw).
    assert.deepEqual(resolveSettings(stack(NATIVE_STACK), { ...f, config: { ...f.config, agentsDeclared: "{" } }, { hasSecrets: false }).declaredAgentDirs, []);
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
