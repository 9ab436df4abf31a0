/**
 * The resource graph of one host, with Pulumi mocks (no CLI, no host). The facts come from the
 * REAL facts script run with /bin/sh against a temp directory laid out like a host (state dir,
 * agents, Claude credentials holding a fake token), with only `pid1` patched to systemd, so the
 * "no token anywhere" check also covers what the facts script reads.
 */
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import * as pulumi from "@pulumi/pulumi";
import { fakeCredentialsFile, findLeakedToken } from "../helpers/tokens";

interface Recorded {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

let records: Recorded[] = [];
let dir: string;
let bundle: string;
let credentials: ReturnType<typeof fakeCredentialsFile>;
let tokens: string[];
// eslint-disable-next-line @typescript-eslint/consistent-type-imports
let program: typeof import("../../infra/program");

function withoutProvider(inputs: Record<string, unknown>): Record<string, unknown> {
  const { __provider, ...rest } = inputs;
  void __provider;
  return rest;
}

const factsCache = new Map<string, string>();
/** Runs the real facts script locally against the temp "host" (once per script text); patches only PID 1. */
function localFacts(_host: unknown, script: string): Promise<string> {
  let out = factsCache.get(script);
  if (out === undefined) {
    const r = spawnSync("sh", ["-s"], { input: script, encoding: "utf8", timeout: 20_000 });
    if (r.status !== 0) throw new Error(`facts script failed: ${r.stderr}`);
    out = r.stdout;
    factsCache.set(script, out);
  }
  return Promise.resolve(out.replace(/^pid1=.*$/m, "pid1=systemd"));
}

const NOTIFY_URL = "https://hooks.slack.com/services/T000/B000/notarealsecretvalue123";

function baseConfig(): Record<string, string> {
  return {
    "openclaw-oauth-sync:host": "gw1.example.net",
    "openclaw-oauth-sync:openclawStateDir": join(dir, "home", ".openclaw"),
    "openclaw-oauth-sync:claudeCredentials": join(dir, "home", ".claude", ".credentials.json"),
    "openclaw-oauth-sync:nodePath": process.execPath,
    "openclaw-oauth-sync:model": JSON.stringify({
      primary: "anthropic/claude-sonnet-4-6",
      fallbacks: ["anthropic/claude-opus-4-6"],
      aliases: { "anthropic/claude-sonnet-4-6": "sonnet" },
    }),
    "openclaw-oauth-sync:removeBrokenAnthropicProvider": "true",
    "openclaw-oauth-sync:notify": JSON.stringify({ channels: [{ type: "slack", urlSecret: "slack_url" }] }),
    "openclaw-oauth-sync:notifySecrets": JSON.stringify({ slack_url: NOTIFY_URL }),
  };
}

async function settle(label: string, until: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!until()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  // Let the remaining registrations of this run land too.
  await new Promise((r) => setTimeout(r, 50));
}

/** The resolved value of an Output (mocks resolve every value, as an update does). */
function value<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((r) => o.apply((v) => r(v)));
}

async function run(
  config: Record<string, string>,
  factsSource: (host: unknown, script: string) => Promise<string> = localFacts,
): Promise<{ records: Recorded[]; outputs: Awaited<ReturnType<typeof program.runProgram>> }> {
  records = [];
  pulumi.runtime.setAllConfig(config, ["openclaw-oauth-sync:notifySecrets"]);
  const outputs = await program.runProgram({ factsSource, bundleSource: bundle });
  await new Promise((r) => outputs.units.watch.enabled.apply(r));
  await settle("the first-sync HostAction to be registered", () => records.some((r) => r.name.endsWith("-first-sync")));
  return { records: [...records], outputs };
}

const dyn = (type: string) => (r: Recorded) => r.type === `pulumi-nodejs:dynamic/openclaw-oauth-sync:${type}`;

describe("resource graph (Pulumi mocks)", () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "ocs-graph-"));
    mkdirSync(join(dir, "home", ".openclaw", "agents", "main", "agent"), { recursive: true });
    writeFileSync(join(dir, "home", ".openclaw", "agents", "main", "agent", "auth-state.json"), "{}");
    writeFileSync(join(dir, "home", ".openclaw", "openclaw.json"), JSON.stringify({ meta: { lastTouchedVersion: "2026.6.11" }, agents: { list: [{ id: "main" }] } }));
    mkdirSync(join(dir, "home", ".claude"), { recursive: true });
    credentials = fakeCredentialsFile();
    tokens = [String(credentials.claudeAiOauth.accessToken), String(credentials.claudeAiOauth.refreshToken)];
    writeFileSync(join(dir, "home", ".claude", ".credentials.json"), JSON.stringify(credentials), { mode: 0o600 });
    bundle = join(dir, "openclaw-oauth-sync.cjs");
    writeFileSync(bundle, "// fake runtime bundle for the graph test\n");

    await pulumi.runtime.setMocks(
      {
        newResource(args) {
          records.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
          const extra = args.type.endsWith(":SystemdUnitState") ? { enabledState: "enabled", activeState: "active" } : {};
          return { id: `${args.name}-id`, state: { ...args.inputs, ...extra } };
        },
        call() {
          throw new Error("Mock call not implemented");
        },
      },
      "openclaw-oauth-sync",
      "gw1",
      false,
    );
    // Import the program only after the mocks are in place.
    program = await import("../../infra/program");
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test("unit files live at /etc/systemd/system/openclaw-oauth-sync-*", async () => {
    const { records } = await run(baseConfig());
    const unitFiles = records.filter(dyn("RemoteFile")).filter((r) => String(r.inputs.path).startsWith("/etc/systemd/"));
    assert.deepEqual(unitFiles.map((r) => r.inputs.path).sort(), [
      "/etc/systemd/system/openclaw-oauth-sync-alert@.service",
      "/etc/systemd/system/openclaw-oauth-sync-refresh.service",
      "/etc/systemd/system/openclaw-oauth-sync-refresh.timer",
      "/etc/systemd/system/openclaw-oauth-sync-watch.service",
    ]);
    for (const r of unitFiles) assert.equal(r.inputs.mode, "0644");
    assert.ok(records.some((r) => r.type === "openclaw-oauth-sync:host:ManagedHost"), "a ManagedHost component");
  });

  test("the watcher restarts on its unit, the runtime and its config; daemon-reload on unit hashes", async () => {
    const { records } = await run(baseConfig());
    const files = records.filter(dyn("RemoteFile"));
    const sha = (suffix: string) => files.find((r) => r.name.endsWith(suffix))!.inputs.sha256 as string;
    const watch = records.filter(dyn("SystemdUnitState")).find((r) => r.inputs.unit === "openclaw-oauth-sync-watch.service")!;
    assert.ok(watch, "a SystemdUnitState for the watcher");
    assert.equal(watch.inputs.enabled, true);
    assert.equal(watch.inputs.active, true);
    const restartOn = watch.inputs.restartOn as string[];
    for (const part of ["-unit-openclaw-oauth-sync-watch.service", "-runtime-bundle", "-runtime-config", "-notify-secrets"]) {
      assert.ok(restartOn.includes(sha(part)), `restartOn includes the sha256 of ${part}`);
    }
    const unitShas = files.filter((r) => String(r.inputs.path).startsWith("/etc/systemd/")).map((r) => r.inputs.sha256).sort();
    assert.deepEqual([...(watch.inputs.daemonReloadOn as string[])].sort(), unitShas);
    const timer = records.filter(dyn("SystemdUnitState")).find((r) => r.inputs.unit === "openclaw-oauth-sync-refresh.timer")!;
    assert.deepEqual(timer.inputs.restartOn, [sha("-unit-openclaw-oauth-sync-refresh.timer")]);
  });

  test("openclaw.json keys: model values, aliases and the provider removal, restored on delete", async () => {
    const { records } = await run(baseConfig());
    const json = records.filter(dyn("JsonKeys"));
    assert.equal(json.length, 1);
    assert.equal(json[0]!.inputs.restoreOnDelete, true);
    assert.equal(json[0]!.inputs.json5, true);
    assert.deepEqual(json[0]!.inputs.values, [
      { path: ["agents", "defaults", "model", "primary"], value: "anthropic/claude-sonnet-4-6" },
      { path: ["agents", "defaults", "model", "fallbacks"], value: ["anthropic/claude-opus-4-6"] },
      { path: ["agents", "defaults", "models", "anthropic/claude-sonnet-4-6", "alias"], value: "sonnet" },
      { path: ["models", "providers", "anthropic"] },
    ]);
  });

  test("changing one model value changes only the JsonKeys inputs", async () => {
    const a = await run(baseConfig());
    const cfg = baseConfig();
    cfg["openclaw-oauth-sync:model"] = JSON.stringify({ ...JSON.parse(cfg["openclaw-oauth-sync:model"]!), primary: "anthropic/claude-opus-4-6" });
    const b = await run(cfg);
    const byName = (rs: Recorded[]) => new Map(rs.map((r) => [r.name, JSON.stringify(withoutProvider(r.inputs))]));
    const before = byName(a.records);
    const afterMap = byName(b.records);
    assert.deepEqual([...afterMap.keys()].sort(), [...before.keys()].sort(), "same resources");
    const changed = [...afterMap.keys()].filter((k) => afterMap.get(k) !== before.get(k));
    assert.deepEqual(changed, ["gw1-openclaw-json"]);
  });

  test("no input or output anywhere holds a token value; channel secrets only in the 0600 secrets file", async () => {
    const { records, outputs } = await run(baseConfig());
    const everything = JSON.stringify(records.map((r) => withoutProvider(r.inputs)));
    assert.equal(findLeakedToken(everything, tokens), undefined, "a token value reached a resource input");
    const providers = JSON.stringify(records.map((r) => r.inputs.__provider ?? ""));
    assert.equal(findLeakedToken(providers, tokens), undefined, "a token value reached serialized provider code");
    const { units: _units, ...rest } = outputs;
    const plainOutputs = JSON.stringify(
      Object.fromEntries(await Promise.all(Object.entries(rest).map(async ([k, v]) => [k, pulumi.Output.isInstance(v) ? await value(v as pulumi.Output<unknown>) : v]))),
    );
    assert.equal(findLeakedToken(plainOutputs, tokens), undefined);
    const withSecret = records.filter((r) => JSON.stringify(withoutProvider(r.inputs)).includes(NOTIFY_URL));
    assert.deepEqual(withSecret.map((r) => r.name), ["gw1-notify-secrets"]);
    assert.equal(withSecret[0]!.inputs.mode, "0600");
    assert.equal(withSecret[0]!.inputs.owner, "root");
  });

  test("stack outputs: storage era, route, service user", async () => {
    const { outputs } = await run(baseConfig());
    assert.equal(await value(outputs.storageEra), "json-split");
    assert.equal(await value(outputs.openclawVersion), "2026.6.11");
    assert.match(await value(outputs.route), /^host: auth-store \(auth-profiles\.json \+ auth-state\.json\); reload: secrets-reload$/);
    assert.equal(outputs.serviceUser, "root", "notification secrets → root");
    assert.equal(await value(outputs.tokenExpiresAt), "unknown", "no runtime installed → no status; never an undefined output");
    assert.equal(await value(outputs.loginExpiresAt), "unknown");
  });

  test("an update reports the host as the update left it: the facts are read again once the first sync ran", async () => {
    // Before the first install the host has no runtime, so no status; after it, the facts script
    // sees the runtime's status. The outputs must be the second picture: they are what the
    // next preview will report, and anything else shows as changed outputs in that preview.
    let calls = 0;
    const firstInstall = async (h: unknown, script: string) => {
      calls++;
      const out = await localFacts(h, script);
      if (calls === 1) return out;
      return `${out}status.expiresAt=${Date.UTC(2026, 10, 24, 15, 2, 11)}\nstatus.loginExpiresAt=${Date.UTC(2026, 11, 20, 9, 0, 0)}\nstatus.state=ok\n`;
    };
    const { outputs } = await run(baseConfig(), firstInstall);
    assert.equal(await value(outputs.tokenExpiresAt), "2026-11-24T15:02:11.000Z");
    assert.equal(await value(outputs.loginExpiresAt), "2026-12-20T09:00:00.000Z");
    assert.equal(await value(outputs.tokenState), "ok");
    assert.equal(calls, 2, "the facts script ran once before planning and once after the update");
  });

  test("a runtime that is not built stops the program with 'run npm run build'", async () => {
    pulumi.runtime.setAllConfig(baseConfig(), ["openclaw-oauth-sync:notifySecrets"]);
    await assert.rejects(program.runProgram({ factsSource: localFacts, bundleSource: join(dir, "nope.cjs") }), (e: unknown) => {
      assert.ok(e instanceof pulumi.RunError);
      assert.match((e as Error).message, /run "npm run build"/);
      return true;
    });
  });

  test("a host without Node >= 18 is refused before any resource is planned", async () => {
    pulumi.runtime.setAllConfig(baseConfig(), ["openclaw-oauth-sync:notifySecrets"]);
    records = [];
    const oldNode = async (h: unknown, s: string) => (await localFacts(h, s)).replace(/^node\.version=.*$/m, "node.version=v16.20.2");
    await assert.rejects(program.runProgram({ factsSource: oldNode, bundleSource: bundle }), /Node\.js v16\.20\.2, the runtime needs >= 18/);
    assert.equal(records.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic")).length, 0);
  });

  test("model keys for an openclaw.json that does not exist are refused with the fix", async () => {
    const cfg = baseConfig();
    cfg["openclaw-oauth-sync:configPath"] = join(dir, "home", ".openclaw", "missing.json");
    pulumi.runtime.setAllConfig(cfg, ["openclaw-oauth-sync:notifySecrets"]);
    await assert.rejects(program.runProgram({ factsSource: localFacts, bundleSource: bundle }), /missing\.json does not exist, but model .* manage keys in it; fix: set configPath/);
  });

  test("a bad stack-config key stops the program with a RunError naming it (and never echoes a secret)", async () => {
    const cfg = baseConfig();
    cfg["openclaw-oauth-sync:refreshInterval"] = "7min";
    cfg["openclaw-oauth-sync:notifySecrets"] = "not json " + NOTIFY_URL;
    pulumi.runtime.setAllConfig(cfg, ["openclaw-oauth-sync:notifySecrets"]);
    await assert.rejects(program.runProgram({ factsSource: localFacts, bundleSource: bundle }), (e: unknown) => {
      assert.ok(e instanceof pulumi.RunError);
      assert.match((e as Error).message, /openclaw-oauth-sync:refreshInterval: a span must divide the hour .*\(got "7min"\)/);
      return true;
    });
    cfg["openclaw-oauth-sync:refreshInterval"] = "15min";
    pulumi.runtime.setAllConfig(cfg, ["openclaw-oauth-sync:notifySecrets"]);
    await assert.rejects(program.runProgram({ factsSource: localFacts, bundleSource: bundle }), (e: unknown) => {
      assert.match((e as Error).message, /openclaw-oauth-sync:notifySecrets: not a JSON object \(value hidden: it is a secret\)/);
      assert.ok(!(e as Error).message.includes(NOTIFY_URL), "the secret value is echoed");
      return true;
    });
  });

  test("a channel secret missing from notifySecrets names it", async () => {
    const cfg = baseConfig();
    cfg["openclaw-oauth-sync:notifySecrets"] = JSON.stringify({ other: "x" });
    pulumi.runtime.setAllConfig(cfg, ["openclaw-oauth-sync:notifySecrets"]);
    await assert.rejects(program.runProgram({ factsSource: localFacts, bundleSource: bundle }), /notifySecrets does not hold: slack_url/);
  });
});
