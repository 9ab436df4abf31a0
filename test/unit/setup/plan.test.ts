/** setup's plan: the values it writes, the diff against the stack, the report, arg parsing. */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { propose } from "../../../tools/setup/detect";
import { defaultStackName, diffConfig, parseTarget, preInstallFindings, renderReport, stackValues, validateValues, type ValuesInput } from "../../../tools/setup/plan";
import { parseSetupArgs } from "../../../tools/setup/args";
import { UsageError } from "../../../tools/cli/args";
import { facts } from "../plan/fixtures";
import { DOCKER_PROBE, NATIVE_PROBE, probe } from "./fixtures";

const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA-secret-material\n-----END OPENSSH PRIVATE KEY-----\n";

function nativeInput(over: Partial<ValuesInput> = {}): ValuesInput {
  return {
    target: { host: "gw1" },
    ssh: {},
    proposal: propose(probe(NATIVE_PROBE), {}),
    facts: facts("native-debian12"),
    extra: {},
    ...over,
  };
}

describe("parseTarget / stack names", () => {
  test("user@host:port, host, [v6]:port", () => {
    assert.deepEqual(parseTarget("admin@gw1.example.net:2222"), { host: "gw1.example.net", user: "admin", port: 2222 });
    assert.deepEqual(parseTarget("gw1"), { host: "gw1", user: undefined, port: undefined });
    assert.deepEqual(parseTarget("[fd00::5]:22"), { host: "fd00::5", user: undefined, port: 22 });
  });
  test("refuses what is not a target", () => {
    for (const bad of ["", "-oProxyCommand=x", "a b", "host:99999", "u@"]) assert.throws(() => parseTarget(bad), /not \[user@\]host\[:port\]|port/, bad);
  });
  test("stack name from the host", () => {
    assert.equal(defaultStackName("GW1.Example.net"), "gw1-example-net");
    assert.equal(defaultStackName("10.0.0.5"), "10-0-0-5");
  });
});

describe("stackValues", () => {
  test("native: only what differs from the program's defaults", () => {
    const v = stackValues(nativeInput());
    assert.deepEqual(Object.keys(v).sort(), ["account", "host"]);
    assert.equal(v.account!.value, "claw");
    assert.equal(validateValues(v), undefined);
  });

  test("docker: mode, refreshOn and the mounted Claude login", () => {
    const v = stackValues({ ...nativeInput(), proposal: propose(probe(DOCKER_PROBE), {}), facts: facts("docker-sqlite") });
    assert.equal(v.mode?.value, "docker");
    assert.equal(v.refreshOn?.value, "container");
    assert.equal(v.claudeCredentials?.value, "/srv/oc-home/.claude/.credentials.json");
    assert.equal(validateValues(v), undefined);
  });

  test("SSH flags and the key: the key is the only secret", () => {
    const v = stackValues(nativeInput({ target: { host: "gw1", user: "admin", port: 2222 }, ssh: { sshConfigFile: "/x/ssh_config", sshConnectTimeoutSeconds: 5, sshPrivateKey: KEY } }));
    assert.equal(v.sshPort?.value, "2222");
    assert.equal(v.sshUser?.value, "admin");
    assert.equal(v.sshConnectTimeoutSeconds?.value, "5");
    assert.deepEqual(Object.entries(v).filter(([, e]) => e.secret).map(([k]) => k), ["sshPrivateKey"]);
    assert.equal(validateValues(v), undefined);
  });

  test("--set values are checked by the program's schema, with its message", () => {
    const v = stackValues(nativeInput({ extra: { refreshInterval: "7min" } }));
    assert.match(validateValues(v) ?? "", /refreshInterval.*divide the hour/);
    assert.match(validateValues(stackValues(nativeInput({ extra: { refreshIntervall: "15min" } }))) ?? "", /refreshIntervall: unknown key/);
    assert.equal(validateValues(stackValues(nativeInput({ extra: { reloadAction: "none" } }))), undefined);
  });
});

describe("diffConfig: a second run writes nothing", () => {
  test("add → same once the values are there; a changed value and a changed secret are changes", () => {
    const desired = stackValues(nativeInput({ ssh: { sshPrivateKey: KEY } }));
    const first = diffConfig({}, desired);
    assert.ok(first.every((c) => c.kind === "add"));
    const stored = Object.fromEntries(Object.entries(desired).map(([k, e]) => [`openclaw-oauth-sync:${k}`, { value: e.value, secret: e.secret }]));
    assert.ok(diffConfig(stored, desired).every((c) => c.kind === "same"), "idempotent");
    const changed = diffConfig({ ...stored, "openclaw-oauth-sync:account": { value: "bob" }, "openclaw-oauth-sync:sshPrivateKey": { value: "old", secret: true } }, desired);
    assert.deepEqual(changed.filter((c) => c.kind === "change").map((c) => c.key).sort(), ["account", "sshPrivateKey"]);
  });

  test("OpenClaw's state dir is written as openclawStateDir; a stack that still has the old stateDir gets it updated there, never both", () => {
    const desired = stackValues(nativeInput({ proposal: propose(probe(NATIVE_PROBE), { mode: "host", stateDir: "/srv/openclaw", account: "svc" }) }));
    assert.equal(desired.openclawStateDir?.value, "/srv/openclaw");
    assert.equal(desired.stateDir, undefined);
    assert.equal(validateValues(desired), undefined);
    assert.deepEqual(diffConfig({}, desired).filter((c) => /stateDir/i.test(c.key)).map((c) => [c.key, c.kind]), [["openclawStateDir", "add"]]);
    const old = diffConfig({ "openclaw-oauth-sync:stateDir": { value: "/home/claw/.openclaw" } }, desired);
    assert.deepEqual(old.filter((c) => /stateDir/i.test(c.key)).map((c) => [c.key, c.kind, c.value]), [["stateDir", "change", "/srv/openclaw"]]);
  });

  test("keys setup does not manage are never touched", () => {
    const d = diffConfig({ "openclaw-oauth-sync:model": { value: "{}" } }, stackValues(nativeInput()));
    assert.ok(!d.some((c) => c.key === "model"));
  });
});

describe("renderReport", () => {
  const input = nativeInput({ ssh: { sshPrivateKey: KEY } });
  const changes = diffConfig({ "openclaw-oauth-sync:account": { value: "bob" } }, stackValues(input));
  const text = renderReport({
    stack: "gw1",
    backend: "file://~ (Pulumi.yaml)",
    stackExists: true,
    target: input.target,
    facts: input.facts,
    proposal: input.proposal,
    findings: preInstallFindings(input.facts, input.proposal, "gw1", false),
    changes,
  });

  test("shows what was found and what will change, never the secret", () => {
    assert.match(text, /OpenClaw\s+native .*2026\.6\.11/);
    assert.match(text, /storage era\s+json-split; agents: main \(json-split, from auth-state\), work/);
    assert.match(text, /Claude CLI\s+\/home\/claw\/\.local\/bin\/claude 2\.1\.3/);
    assert.match(text, /our units\s+openclaw-oauth-sync-watch\.service/);
    assert.match(text, /~ account = claw \(was bob\)/);
    assert.match(text, /\+ sshPrivateKey = \[secret\]/);
    assert.ok(!text.includes("secret-material"), "the key never appears");
    assert.match(text, /3 changes to write\./);
  });

  test("a host the program would refuse shows the refusal", () => {
    const f = { ...input.facts, node: undefined };
    const findings = preInstallFindings(f, input.proposal, "gw1", false);
    assert.ok(findings.some((x) => x.level === "error" && /no node binary found/.test(x.message)));
  });

  test("nothing to change says so", () => {
    const stored = Object.fromEntries(Object.entries(stackValues(nativeInput())).map(([k, e]) => [`openclaw-oauth-sync:${k}`, e]));
    const t = renderReport({ stack: "gw1", backend: "b", stackExists: true, target: { host: "gw1" }, facts: input.facts, proposal: input.proposal, findings: [], changes: diffConfig(stored, stackValues(nativeInput())) });
    assert.match(t, /No changes to the stack config\./);
  });
});

describe("parseSetupArgs", () => {
  const ok = (argv: string[]) => {
    const r = parseSetupArgs(argv);
    assert.equal(r.help, false);
    return (r as { options: import("../../../tools/setup/args").SetupOptions }).options;
  };
  test("target, flags, --set, stack name", () => {
    const o = ok(["admin@gw1.example.net", "--port", "2222", "--mode", "docker", "--set", "reloadAction=none", "--set=openclaw-oauth-sync:refreshInterval=10min", "--yes"]);
    assert.deepEqual(o.target, { host: "gw1.example.net", user: "admin", port: 2222 });
    assert.equal(o.stack, "gw1-example-net");
    assert.equal(o.choices.mode, "docker");
    assert.deepEqual(o.extra, { reloadAction: "none", refreshInterval: "10min" });
    assert.equal(o.yes, true);
  });
  test("misuse names the flag and the fix", () => {
    const bad: [string[], RegExp][] = [
      [[], /which host/],
      [["a", "b"], /one host at a time/],
      [["gw1", "--mode", "vm"], /--mode must be host or docker/],
      [["gw1", "--state-dir", "rel/dir"], /absolute path/],
      [["gw1", "--bogus"], /unknown option "--bogus"/],
      [["gw1", "--set", "sshPrivateKey=x"], /secrets never go on the command line/],
      [["u@gw1", "--user", "v"], /contradicts/],
      [["gw1", "--stack", "a/b"], /not a stack name/],
      [["gw1", "--port"], /needs a value/],
    ];
    for (const [argv, re] of bad) {
      assert.throws(() => parseSetupArgs(argv), (e: unknown) => e instanceof UsageError && re.test((e as Error).message), argv.join(" "));
    }
  });
  test("--help", () => {
    assert.equal(parseSetupArgs(["--help"]).help, true);
  });
});
