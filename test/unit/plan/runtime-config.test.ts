/** The runtime config planner: validated by the runtime's own ConfigSchema, no secrets in it. */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ConfigSchema } from "../../../runtime/src/contract/schema";
import { planRuntimeConfig, runtimeConfigInput } from "../../../infra/plan/runtime-config";
import { configReader, dockerSettings, nativeSettings } from "./fixtures";
import { parseStackConfig } from "../../../infra/plan/stack-config";
import { UNIT_NAMES } from "../../../infra/plan/settings";
import { planUnits } from "../../../infra/plan/units";
import { loadTemplates } from "../../../infra/templates";

describe("runtime config planner", () => {
  test("native: parses with the runtime's ConfigSchema; paths come from the host's facts", () => {
    const p = planRuntimeConfig(nativeSettings());
    const parsed = ConfigSchema.parse(JSON.parse(p.content));
    assert.equal(parsed.claudeCredentials, "/home/claw/.claude/.credentials.json");
    assert.equal(parsed.openclaw.stateDir, "/home/claw/.openclaw");
    assert.equal(parsed.openclaw.mode, "host");
    assert.equal(parsed.openclaw.version, "2026.6.11");
    assert.equal(parsed.owner, undefined, "natively the state dir's owner is kept");
    assert.deepEqual(parsed.targets, [
      { kind: "auth-store", agents: "all", agentDirs: [], profileId: "anthropic:default", profileType: "token", era: "auto", setLastGood: true, clearCooldown: true, includeRefreshToken: false },
    ]);
    assert.equal(parsed.refresh.method, "auth-status");
    assert.deepEqual(parsed.refresh.cli, ["claude"]);
    assert.deepEqual(parsed.refresh.deprecations, [], "nothing deprecated is written by default");
    assert.equal("windowMinutes" in JSON.parse(p.content).refresh, false);
    assert.equal(parsed.notify.secretsFile, undefined);
  });

  test("docker: container by Compose label, files owned by uid 1000, secrets file referenced", () => {
    const p = planRuntimeConfig(dockerSettings());
    const c = p.config;
    assert.equal(c.openclaw.mode, "docker");
    assert.deepEqual(c.openclaw.docker, { composeService: "openclaw-gateway", composeProject: "openclaw", user: "node", command: ["docker"] });
    assert.deepEqual(c.owner, { uid: 1000, gid: 1000 });
    assert.equal(c.notify.secretsFile, "/etc/openclaw-oauth-sync/secrets.json");
    assert.equal(c.notify.channels.length, 2);
    assert.equal(c.reload.composeDir, "/home/admin/openclaw");
  });

  test("content is stable JSON with sorted keys, so its hash only changes with its values", () => {
    const a = planRuntimeConfig(nativeSettings());
    const b = planRuntimeConfig(nativeSettings());
    assert.equal(a.content, b.content);
    assert.equal(a.sha256, b.sha256);
    assert.match(a.content, /^\{\n  "claudeCredentials"/);
    assert.notEqual(planRuntimeConfig(nativeSettings({ refreshMethod: "print" })).sha256, a.sha256);
    // Deprecated and ignored: it is not written, so it changes nothing on the host.
    assert.equal(planRuntimeConfig(nativeSettings({ refreshWindowMinutes: 30 })).sha256, a.sha256);
  });

  test("refreshMethod, claudeCli, refreshMaxWaitMinutes, refreshMaxRunMinutes, refreshRenewBeforeExpiry, loginWarnDays and refreshOn reach refresh.*", () => {
    const c = planRuntimeConfig(
      dockerSettings({
        refreshMethod: "print",
        claudeCli: ["/home/node/.local/bin/claude"],
        refreshMaxWaitMinutes: 30,
        refreshMaxRunMinutes: 60,
        refreshRenewBeforeExpiry: { earliestSeconds: 240, latestSeconds: 60 },
        loginWarnDays: 7,
        refreshOn: "container",
      }),
    ).config;
    assert.equal(c.refresh.maxRunMinutes, 60);
    assert.deepEqual(c.refresh.renewBeforeExpiry, { earliestSeconds: 240, latestSeconds: 60 });
    assert.equal(c.refresh.method, "print");
    assert.deepEqual(c.refresh.cli, ["/home/node/.local/bin/claude"]);
    assert.equal(c.refresh.maxWaitMinutes, 30);
    assert.equal(c.refresh.loginWarnDays, 7);
    assert.equal(c.refresh.on, "container");
    assert.deepEqual(c.refresh.deprecations, []);
  });

  test("deprecated claudeCommand is passed as refresh.command and mapped by the runtime (with a deprecation)", () => {
    const c = planRuntimeConfig(dockerSettings({ claudeCommand: ["claude", "-p", "hi"], refreshOn: "container" })).config;
    assert.deepEqual(c.refresh.cli, ["claude"]);
    assert.equal(c.refresh.method, "print");
    assert.deepEqual(c.refresh.printArgs, ["-p", "hi"]);
    assert.equal(c.refresh.deprecations.length, 1);
    assert.match(c.refresh.deprecations[0]!, /refresh\.command is deprecated/);
  });

  test("claudeCli wins over the deprecated claudeCommand", () => {
    const c = planRuntimeConfig(nativeSettings({ claudeCli: ["/opt/claude"], claudeCommand: ["claude", "-p", "hi"] })).config;
    assert.deepEqual(c.refresh.cli, ["/opt/claude"]);
    assert.equal(c.refresh.method, "auth-status");
    assert.deepEqual(c.refresh.deprecations, []);
  });

  test("a value the runtime refuses fails here, naming the runtime key", () => {
    assert.throws(() => planRuntimeConfig(nativeSettings({ claudeCli: ["claude", "--bare"] })), /refresh\.cli: "--bare" disables the OAuth login/);
    assert.throws(() => planRuntimeConfig(nativeSettings({ claudeCommand: ["claude", "--bare", "-p", "x"] })), /refresh\.command: "--bare" disables the OAuth login/);
  });

  test("channels that need secrets without notifySecrets are refused with the fix", () => {
    const s = nativeSettings({ notify: { channels: [{ type: "discord", urlSecret: "discord_url" }] } });
    assert.throws(() => planRuntimeConfig(s), /notifySecrets is not set; fix: pulumi config set --secret --path 'notifySecrets\.discord_url'/);
  });

  test("the input never carries a secret value, only secret names", () => {
    const text = JSON.stringify(runtimeConfigInput(dockerSettings()));
    assert.match(text, /"urlSecret":"slack_url"/);
    assert.doesNotMatch(text, /hooks\.slack\.com/);
  });
});

test("refreshBaseUrlOverride reaches refresh.baseUrlOverride; a value that is not a URL is refused", () => {
  const c = planRuntimeConfig(dockerSettings({ refreshOn: "container", refreshBaseUrlOverride: "https://api.anthropic.com" })).config;
  assert.equal(c.refresh.baseUrlOverride, "https://api.anthropic.com");
  assert.equal(planRuntimeConfig(nativeSettings()).config.refresh.baseUrlOverride, undefined);
  const bad = parseStackConfig(configReader({ host: "gw1", refreshBaseUrlOverride: "api.anthropic.com" }), ["host", "refreshBaseUrlOverride"]);
  assert.equal(bad.ok, false);
  assert.match((bad as { message: string }).message, /refreshBaseUrlOverride: must be a URL such as https:\/\/api\.anthropic\.com/);
});

test("refreshMaxRunMinutes also bounds the refresh unit (TimeoutStartSec); a renewal range outside the CLI's window is refused", () => {
  const unit = (s: ReturnType<typeof nativeSettings>) => planUnits(s, loadTemplates()).find((u) => u.name === UNIT_NAMES.refreshService)!.content;
  // default: 45 min + the CLI's 2 min + 5
  assert.match(unit(nativeSettings()), /^TimeoutStartSec=52min$/m);
  assert.match(unit(nativeSettings({ refreshMaxRunMinutes: 90 })), /^TimeoutStartSec=97min$/m);
  for (const range of [{ earliestSeconds: 60, latestSeconds: 120 }, { earliestSeconds: 300, latestSeconds: 120 }]) {
    const bad = parseStackConfig(configReader({ host: "gw1", refreshRenewBeforeExpiry: range }), ["host", "refreshRenewBeforeExpiry"]);
    assert.equal(bad.ok, false, JSON.stringify(range));
    assert.match((bad as { message: string }).message, /refreshRenewBeforeExpiry/);
  }
});
