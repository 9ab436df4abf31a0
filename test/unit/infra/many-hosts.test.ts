/**
 * A stack of many hosts (`hosts`): parsing and defaults (plan/stack-config.ts), the provider's SSH
 * settings per host (hoststate/common.ts), and fleet's rows per host (fleet/summary.ts).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { hostEntryName, hostNamesOf, parseStackConfig } from "../../../infra/plan/stack-config";
import { configureFromStack, hostRefOf, resetConfigured } from "../../../infra/hoststate/common";
import { expandHosts, hostOfResource } from "../../../tools/fleet/summary";

const reader = (values: Record<string, unknown>) => (k: string) => {
  const v = values[k];
  return v === undefined ? undefined : typeof v === "string" ? v : JSON.stringify(v);
};
const parse = (values: Record<string, unknown>) => parseStackConfig(reader(values), Object.keys(values));

describe("stack config: hosts", () => {
  test("a one-host stack parses as before: one host, not multi", () => {
    const r = parse({ host: "gw1", account: "claw" });
    assert.ok(r.ok);
    assert.equal(r.multi, false);
    assert.equal(r.hosts.length, 1);
    assert.equal(r.hosts[0]!.name, undefined);
    assert.equal(r.config.host, "gw1");
  });

  test("entries take the top-level keys as defaults and override them", () => {
    const r = parse({
      account: "claw",
      sshUser: "admin",
      refreshInterval: "10min",
      hosts: [{ host: "gw1" }, { host: "gw2.example.net", sshUser: "root", sshPort: 2222, mode: "docker", name: "two" }],
    });
    assert.ok(r.ok, !r.ok ? r.message : "");
    assert.equal(r.multi, true);
    assert.deepEqual(r.hosts.map((h) => h.name), ["gw1", "two"]);
    assert.equal(r.hosts[0]!.config.sshUser, "admin");
    assert.equal(r.hosts[0]!.config.account, "claw");
    assert.equal(r.hosts[1]!.config.sshUser, "root");
    assert.equal(r.hosts[1]!.config.sshPort, 2222);
    assert.equal(r.hosts[1]!.config.mode, "docker");
    assert.equal(r.hosts[1]!.config.refreshInterval, "10min");
  });

  test("problems name the entry: unknown key, secret per host, bad value, duplicate name, missing host", () => {
    const r = parse({ hosts: [{ host: "gw1", sshPrivateKey: "x" }, { host: "gw1" }, { host: "gw3", sshPort: "x" }, { hostt: "gw4", name: "four" }, { mode: "host" }] });
    assert.ok(!r.ok);
    assert.match(r.message, /hosts\[0\]\.sshPrivateKey: secrets are per stack/);
    assert.match(r.message, /hosts\[1\]\.name: "gw1" is also the name of hosts\[0\]/);
    assert.match(r.message, /hosts\[2\]\.sshPort: /);
    assert.match(r.message, /hosts\[3\]\.hostt: unknown key/);
    assert.match(r.message, /hosts\[4\]\.name: missing/);
  });

  test("an empty or non-list hosts is refused with the fix", () => {
    for (const hosts of [[], { host: "gw1" }, [["gw1"]]]) {
      const r = parse({ hosts });
      assert.ok(!r.ok);
      assert.match(r.message, /hosts: must be a non-empty list of objects.*fix: pulumi config set --path 'hosts\[0\]\.host' gw1/);
    }
  });

  test("names: `name`, else the host with other characters as -", () => {
    assert.equal(hostEntryName({ host: "root@10.0.0.1" }), "root-10.0.0.1");
    assert.equal(hostEntryName({ host: "gw1", name: "a" }), "a");
    assert.deepEqual(hostNamesOf(JSON.stringify([{ host: "gw1" }, { host: "x", name: "b" }])), ["gw1", "b"]);
    assert.deepEqual(hostNamesOf("not json"), []);
  });
});

describe("provider: SSH settings of each host from the stack config", () => {
  test("a `hosts` entry's settings apply to that host's resources; top-level ones are the defaults", () => {
    const cfg: Record<string, string> = {
      sshUser: "admin",
      sshConnectTimeoutSeconds: "7",
      hosts: JSON.stringify([{ host: "gw1", sshPort: 2222 }, { host: "gw2", sshUser: "root" }]),
    };
    configureFromStack({ get: (k) => cfg[k] });
    try {
      const base = { providerVersion: "1" };
      assert.deepEqual(hostRefOf({ ...base, host: { host: "gw1" } }), { host: "gw1", port: 2222, user: "admin", connectTimeoutSeconds: 7 });
      assert.deepEqual(hostRefOf({ ...base, host: { host: "gw2", port: 22 } }), { host: "gw2", port: 22, user: "root", connectTimeoutSeconds: 7 });
      assert.deepEqual(hostRefOf({ ...base, host: { host: "other", user: "u" } }), { host: "other", user: "u" });
    } finally {
      resetConfigured();
    }
  });
});

describe("fleet: one row per host of a many-host stack", () => {
  test("resources belong to the host whose name prefixes theirs (longest wins)", () => {
    assert.equal(hostOfResource("gw1-runtime-bundle", ["gw1", "gw1-b"]), "gw1");
    assert.equal(hostOfResource("gw1-b-runtime-bundle", ["gw1", "gw1-b"]), "gw1-b");
    assert.equal(hostOfResource("gw1-b", ["gw1", "gw1-b"]), "gw1-b");
    assert.equal(hostOfResource("many", ["gw1"]), undefined);
  });

  const base = { stack: "many", op: "preview" as const, durationMs: 1000, logFile: "/l" };

  test("a one-host stack keeps its row", () => {
    const run = { ...base, ok: true, changes: { same: 12 } };
    assert.deepEqual(expandHosts(run, { hostNames: ["many"], perHost: new Map(), diagnostics: [], outputs: { host: { value: "gw1" } } }), [run]);
  });

  test("failed hosts fail on their own row with their own message; the others keep their changes and outputs", () => {
    const rows = expandHosts(
      { ...base, ok: false, error: "x" },
      {
        hostNames: ["a", "b"],
        perHost: new Map([["a", { same: 12 }], ["b", { same: 11, update: 1 }]]),
        diagnostics: ["c: c.example: could not read the host's facts over SSH: cannot reach c.example:22 within 5 s: Connection refused\n", "1 of 3 hosts failed (c); the others were processed"],
        outputs: { hosts: { value: { a: { host: "a.example", tokenState: "ok" }, b: { host: "b.example" } } } },
      },
    );
    assert.deepEqual(rows.map((r) => [r.stack, r.ok]), [["many/a", true], ["many/b", true], ["many/c", false]]);
    assert.deepEqual(rows[1]!.changes, { same: 11, update: 1 });
    assert.equal(rows[0]!.outputs?.host, "a.example");
    assert.match(rows[2]!.error ?? "", /cannot reach c\.example:22/);
  });
});
