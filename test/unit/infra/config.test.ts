/** Stack config: defaults, and one clear message per bad key (naming the key, the value and the fix). */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { parseStackConfig, stackDeprecations, STACK_KEYS, StackConfigSchema } from "../../../infra/plan/stack-config";
import { configReader } from "../plan/fixtures";

function parse(values: Record<string, unknown>) {
  return parseStackConfig(configReader(values), Object.keys(values));
}

function errorOf(values: Record<string, unknown>): string {
  const r = parse(values);
  assert.equal(r.ok, false, `expected ${JSON.stringify(values)} to be refused`);
  return (r as { message: string }).message;
}

describe("stack config", () => {
  test("only host is required; defaults fit a native install", () => {
    const r = parse({ host: "gw1" });
    assert.ok(r.ok, !r.ok ? r.message : "");
    const c = r.config;
    assert.equal(c.mode, "host");
    assert.equal(c.installPrefix, "/usr/local");
    assert.equal(c.refreshInterval, "15min");
    assert.equal(c.refreshWindowMinutes, undefined, "deprecated: no default any more");
    assert.equal(c.refreshMethod, "auth-status");
    assert.equal(c.refreshMaxWaitMinutes, undefined, "runtime default");
    assert.equal(c.loginWarnDays, undefined, "runtime default");
    assert.equal(c.claudeCli, undefined, "runtime default");
    assert.deepEqual(stackDeprecations(c), []);
    assert.equal(c.dockerComposeService, "openclaw-gateway");
    assert.equal(c.dockerUser, "node");
    assert.deepEqual(c.targets, ["auth-store"]);
    assert.equal(c.agents, "all");
    assert.equal(c.storageEra, "auto");
    assert.equal(c.serviceUser, "auto");
    assert.deepEqual(c.model, {});
    assert.equal(c.openclawStateDir, undefined, "openclawStateDir default comes from the host (~account/.openclaw)");
  });

  test("values arrive as strings from pulumi config and are decoded per key", () => {
    const r = parse({ host: "gw1", sshPort: "2222", alertOnFailure: "false", agents: "main", targets: '["auth-store","env"]' });
    assert.ok(r.ok, !r.ok ? r.message : "");
    assert.equal(r.config.sshPort, 2222);
    assert.equal(r.config.alertOnFailure, false);
    assert.deepEqual(r.config.agents, ["main"]);
    assert.deepEqual(r.config.targets, ["auth-store", "env"]);
  });

  test("a missing host names the key and the fix", () => {
    const m = errorOf({});
    assert.match(m, /openclaw-oauth-sync:host: .*\(not set\); fix: pulumi config set host <value>/);
  });

  const bad: [string, Record<string, unknown>, RegExp][] = [
    ["host", { host: "-oProxyCommand=x" }, /:host: .*"-oProxyCommand=x"/],
    ["sshPort", { sshPort: 70000 }, /:sshPort: .*70000/],
    ["sshUser", { sshUser: "bad user" }, /:sshUser: .*"bad user"/],
    ["sshHostKey", { sshHostKey: "AAAA" }, /:sshHostKey: .*ssh-keyscan/],
    ["mode", { mode: "kubernetes" }, /:mode: .*"kubernetes"/],
    ["openclawStateDir", { openclawStateDir: "relative/.openclaw" }, /:openclawStateDir: must be an absolute path.*"relative\/.openclaw"/],
    ["stateDir", { stateDir: "relative/.openclaw" }, /:stateDir: must be an absolute path.*"relative\/.openclaw"/],
    ["stateDir and openclawStateDir", { stateDir: "/a/.openclaw", openclawStateDir: "/b/.openclaw" }, /:stateDir: is the old name of openclawStateDir, and both are set; fix: .*pulumi config rm stateDir/],
    ["configPath", { configPath: "openclaw.json" }, /:configPath: must be an absolute path/],
    ["claudeCredentials", { claudeCredentials: "~/.claude/.credentials.json" }, /:claudeCredentials: must be an absolute path/],
    ["agents", { agents: ["ok", "not ok"] }, /:agents\[1\]: agent ids/],
    ["storageEra", { storageEra: "sqlite3" }, /:storageEra: .*"sqlite3"/],
    ["refreshInterval", { refreshInterval: "7min" }, /:refreshInterval: a span must divide the hour/],
    ["refreshInterval (junk)", { refreshInterval: "every tuesday;rm" }, /:refreshInterval: must be a span/],
    ["refreshRandomizedDelay", { refreshRandomizedDelay: "2 minutes" }, /:refreshRandomizedDelay: must be a time span/],
    ["refreshWindowMinutes", { refreshWindowMinutes: 0 }, /:refreshWindowMinutes: .*got 0/],
    ["claudeCommand", { claudeCommand: "claude -p ok" }, /:claudeCommand: .*"claude -p ok"/],
    ["claudeCli", { claudeCli: "claude" }, /:claudeCli: .*"claude"/],
    ["refreshMethod", { refreshMethod: "doctor" }, /:refreshMethod: .*"doctor"/],
    ["refreshMaxWaitMinutes", { refreshMaxWaitMinutes: 0 }, /:refreshMaxWaitMinutes: .*got 0/],
    ["loginWarnDays", { loginWarnDays: 90 }, /:loginWarnDays: .*90/],
    ["targets", { targets: ["auth-store", "sqlite"] }, /:targets\[1\]/],
    ["targets (object)", { targets: [{ kind: "env", key: "bad key" }] }, /:targets\[0\]/],
    ["profileType", { profileType: "api_key" }, /:profileType: .*"api_key"/],
    ["profileId", { profileId: "default" }, /:profileId: must look like "anthropic:default"/],
    ["reloadAction", { reloadAction: "reboot" }, /:reloadAction: .*"reboot"/],
    ["reloadCommand", { reloadAction: "command" }, /:reloadCommand: is required when reloadAction is "command"/],
    ["model.primary", { model: { primary: "claude-sonnet-4-6" } }, /:model\.primary: must be "provider\/model".*"claude-sonnet-4-6"/],
    ["model (unknown key)", { model: { primery: "anthropic/claude-sonnet-4-6" } }, /:model: unknown key "primery"/],
    ["notify", { notify: { channels: [{ type: "slack", url: "https://hooks.slack.com/x" }] } }, /:notify\.channels\[0\]/],
    ["installPrefix", { installPrefix: "usr/local" }, /:installPrefix: must be an absolute path/],
    ["nodePath", { nodePath: "node" }, /:nodePath: must be an absolute path/],
    ["serviceUser", { serviceUser: "a b" }, /:serviceUser:/],
    ["dockerComposeDir", { mode: "docker", reloadAction: "container-recreate" }, /:dockerComposeDir: is required when reloadAction is "container-recreate"/],
    ["refreshOn", { refreshOn: "container" }, /:refreshOn: "container" needs mode "docker"/],
    ["removeBrokenAnthropicProvider", { removeBrokenAnthropicProvider: "yes" }, /:removeBrokenAnthropicProvider: .*is not a JSON value|:removeBrokenAnthropicProvider: /],
    ["unknown key", { sshPrivatKey: "x" }, /:sshPrivatKey: unknown key/],
  ];
  for (const [key, values, expected] of bad) {
    test(`bad ${key} → message naming it`, () => {
      const m = errorOf({ host: "gw1", ...values });
      assert.match(m, expected);
      assert.match(m, /^Invalid stack config/);
    });
  }

  test("deprecated keys still parse, and each gets a warning naming its replacement", () => {
    const r = parse({ host: "gw1", refreshWindowMinutes: "45", claudeCommand: '["claude","-p","ok"]' });
    assert.ok(r.ok, !r.ok ? r.message : "");
    assert.equal(r.config.refreshWindowMinutes, 45);
    const w = stackDeprecations(r.config);
    assert.equal(w.length, 2);
    assert.match(w[0]!, /^openclaw-oauth-sync:refreshWindowMinutes is ignored: .*last 5 minutes.*pulumi config rm refreshWindowMinutes/);
    assert.match(w[1]!, /^openclaw-oauth-sync:claudeCommand is deprecated: use claudeCli .* and refreshMethod/);
  });

  test("stateDir, the old name of openclawStateDir, still works: mapped onto it, with a warning naming openclawStateDir", () => {
    const r = parse({ host: "gw1", stateDir: "/srv/openclaw" });
    assert.ok(r.ok, !r.ok ? r.message : "");
    assert.equal(r.config.openclawStateDir, "/srv/openclaw");
    const w = stackDeprecations(r.config);
    assert.equal(w.length, 1);
    assert.match(w[0]!, /^openclaw-oauth-sync:stateDir is deprecated: it names OpenClaw's state dir, now the key openclawStateDir .*pulumi config set openclawStateDir .*pulumi config rm stateDir/);
    const n = parse({ host: "gw1", openclawStateDir: "/srv/openclaw" });
    assert.ok(n.ok, !n.ok ? n.message : "");
    assert.equal(n.config.openclawStateDir, "/srv/openclaw");
    assert.deepEqual(stackDeprecations(n.config), []);
  });

  test("many hosts: an entry's OpenClaw state dir, under either name, replaces the top-level one", () => {
    for (const [top, entry] of [
      ["stateDir", "openclawStateDir"],
      ["openclawStateDir", "stateDir"],
    ] as const) {
      const r = parse({ [top]: "/top/.openclaw", hosts: JSON.stringify([{ host: "gw1" }, { host: "gw2", [entry]: "/own/.openclaw" }]) });
      assert.ok(r.ok, !r.ok ? r.message : "");
      assert.deepEqual(
        r.hosts.map((h) => h.config.openclawStateDir),
        ["/top/.openclaw", "/own/.openclaw"],
        `${top} at the top, ${entry} in the entry`,
      );
    }
  });

  test("new renewal keys arrive as strings and are decoded", () => {
    const r = parse({ host: "gw1", refreshMethod: "print", refreshMaxWaitMinutes: "30", loginWarnDays: "7", claudeCli: '["/home/claw/.local/bin/claude"]' });
    assert.ok(r.ok, !r.ok ? r.message : "");
    assert.equal(r.config.refreshMethod, "print");
    assert.equal(r.config.refreshMaxWaitMinutes, 30);
    assert.equal(r.config.loginWarnDays, 7);
    assert.deepEqual(r.config.claudeCli, ["/home/claw/.local/bin/claude"]);
    assert.deepEqual(stackDeprecations(r.config), []);
  });

  test("every schema key has a decoder and vice versa", () => {
    assert.deepEqual(Object.keys(STACK_KEYS).sort(), Object.keys(StackConfigSchema.shape).sort());
  });

  test("a secret-looking value in notify is not echoed past 120 characters", () => {
    const long = "x".repeat(500);
    const m = errorOf({ host: "gw1", claudeCommand: long });
    assert.ok(m.length < 600, "message stays short");
  });
});
