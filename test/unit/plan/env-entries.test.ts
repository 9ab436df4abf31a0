/** Stack key openclawEnv: non-secret .env entries for OpenClaw, keys to remove, and the plan the program gives EnvEntries. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseStackConfig } from "../../../infra/plan/stack-config";
import { planEnvEntries } from "../../../infra/plan/env-entries";
import { configReader, dockerSettings, nativeSettings } from "./fixtures";

const parse = (values: Record<string, unknown>) => parseStackConfig(configReader(values), Object.keys(values));
const refused = (values: Record<string, unknown>): string => {
  const r = parse(values);
  assert.equal(r.ok, false, `expected ${JSON.stringify(values)} to be refused`);
  return (r as { message: string }).message;
};

test("openclawEnv: entries to set and keys to remove, in OpenClaw's global .env by default", () => {
  const r = parse({ host: "gw1", openclawEnv: { set: { OPENCLAW_LOG_LEVEL: "info" }, remove: ["ANTHROPIC_API_KEY"] } });
  assert.ok(r.ok, !r.ok ? r.message : "");
  assert.deepEqual(r.config.openclawEnv, { file: "openclaw-global", set: { OPENCLAW_LOG_LEVEL: "info" }, remove: ["ANTHROPIC_API_KEY"] });
  const plan = planEnvEntries(nativeSettings({ openclawEnv: r.config.openclawEnv }));
  assert.ok(plan);
  assert.match(plan.path, /\/\.openclaw\/\.env$/);
  assert.deepEqual(plan.set, { OPENCLAW_LOG_LEVEL: "info" });
  assert.deepEqual(plan.absent, ["ANTHROPIC_API_KEY"]);
  assert.ok(plan.owner, "a new file belongs to OpenClaw's account");
  assert.equal(planEnvEntries(nativeSettings()), undefined, "no key, no resource");
});

test("openclawEnv refuses token-shaped values, the env target's own key, a key both set and removed, and compose-project outside docker mode", () => {
  assert.match(refused({ host: "gw1", openclawEnv: { set: { X: "sk-ant-api03-abcdefghijklmnopqrstuvwxyz" } } }), /openclawEnv.*looks like an API key or token/s);
  assert.match(refused({ host: "gw1", targets: ["auth-store", "env"], openclawEnv: { remove: ["ANTHROPIC_OAUTH_TOKEN"] } }), /ANTHROPIC_OAUTH_TOKEN is written by the runtime's env target/);
  assert.match(refused({ host: "gw1", openclawEnv: { set: { A: "1" }, remove: ["A"] } }), /A is both set and removed/);
  assert.match(refused({ host: "gw1", openclawEnv: { file: "compose-project", set: { A: "1" } } }), /"compose-project" needs mode "docker" and dockerComposeDir/);
  assert.match(refused({ host: "gw1", openclawEnv: { set: { "BAD-NAME": "1" } } }), /openclawEnv\.set\.BAD-NAME: Invalid key/);
  assert.match(refused({ host: "gw1", openclawEnv: { set: { A: "two\nlines" } } }), /one line/);
});

test("docker mode with the Compose project's .env: the file is <dockerComposeDir>/.env and keeps its owner", () => {
  const plan = planEnvEntries(dockerSettings({ dockerComposeDir: "/srv/openclaw", openclawEnv: { file: "compose-project", set: { OPENCLAW_GATEWAY_PORT: "18789" }, remove: [] } }));
  assert.ok(plan);
  assert.equal(plan.path, "/srv/openclaw/.env");
  assert.equal(plan.owner, undefined);
});
