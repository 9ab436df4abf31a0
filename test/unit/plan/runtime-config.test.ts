/** The runtime config planner: validated by the runtime's own ConfigSchema, no secrets in it. */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ConfigSchema } from "../../../runtime/src/config/schema";
import { planRuntimeConfig, runtimeConfigInput } from "../../../infra/plan/runtime-config";
import { dockerSettings, nativeSettings } from "./fixtures";

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
    assert.equal(parsed.refresh.windowMinutes, 45);
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
    assert.notEqual(planRuntimeConfig(nativeSettings({ refreshWindowMinutes: 30 })).sha256, a.sha256);
  });

  test("claudeCommand and refreshOn reach refresh.command / refresh.on", () => {
    const c = planRuntimeConfig(dockerSettings({ claudeCommand: ["claude", "-p", "hi"], refreshOn: "container" })).config;
    assert.deepEqual(c.refresh.command, ["claude", "-p", "hi"]);
    assert.equal(c.refresh.on, "container");
  });

  test("a value the runtime refuses fails here, naming the runtime key", () => {
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
