/**
 * SystemdUnitState: the command planning as a pure function, and the remote part against the
 * real sshd with a STAND-IN `systemctl` (test/sshd/stand-in-systemctl.sh) first on the PATH —
 * there is no systemd on the build machine; real systemd is covered by e2e.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { startSshd, type Sshd } from "../helpers/sshd";
import { closeAll } from "../../infra/ssh/transport";
import { parseUnitState, planUnitCommands, unitProvider, type UnitProps } from "../../infra/hoststate/systemd-unit-state.provider";
import { commonProps } from "./fixture";

const base = (over: Partial<UnitProps> = {}): UnitProps => ({
  host: { host: "h" },
  providerVersion: "1",
  unit: "ocs.service",
  enabled: true,
  active: true,
  restartOn: ["r1"],
  daemonReloadOn: ["d1"],
  ...over,
});
const live = (over: Partial<UnitProps> = {}) => ({ ...base(), ...over });
const show = (c: string[][]) => c.map((x) => x.join(" "));

describe("planUnitCommands (pure)", () => {
  const cases: { name: string; live: ReturnType<typeof live> | undefined; desired: UnitProps; expect: string[] }[] = [
    { name: "create: reload, enable, start", live: undefined, desired: base(), expect: ["daemon-reload", "enable -- ocs.service", "start -- ocs.service"] },
    { name: "create disabled + inactive: no stop of a unit never seen running", live: undefined, desired: base({ enabled: false, active: false }), expect: ["daemon-reload", "disable -- ocs.service"] },
    { name: "no change: idempotent enable + start only", live: live(), desired: base(), expect: ["enable -- ocs.service", "start -- ocs.service"] },
    { name: "restartOn changed while running: restart", live: live(), desired: base({ restartOn: ["r2"] }), expect: ["enable -- ocs.service", "restart -- ocs.service"] },
    { name: "restartOn changed while stopped: start (no restart)", live: live({ active: false }), desired: base({ restartOn: ["r2"] }), expect: ["enable -- ocs.service", "start -- ocs.service"] },
    { name: "unit file changed: daemon-reload first", live: live(), desired: base({ daemonReloadOn: ["d2"], restartOn: ["r2"] }), expect: ["daemon-reload", "enable -- ocs.service", "restart -- ocs.service"] },
    { name: "should stop: stop only because it was seen active", live: live(), desired: base({ active: false }), expect: ["enable -- ocs.service", "stop -- ocs.service"] },
    { name: "disabled by hand: enable again", live: live({ enabled: false }), desired: base(), expect: ["enable -- ocs.service", "start -- ocs.service"] },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(show(planUnitCommands(c.live, c.desired)), c.expect));

  test("parseUnitState: only 'enabled' is enabled; 'active'/'reloading' are active", () => {
    assert.deepEqual(parseUnitState("enabled=enabled\nactive=active\n"), { enabledState: "enabled", activeState: "active", enabled: true, active: true });
    assert.deepEqual(parseUnitState("enabled=enabled-runtime\nactive=activating\n"), { enabledState: "enabled-runtime", activeState: "activating", enabled: false, active: false });
    assert.deepEqual(parseUnitState("enabled=\nactive=\n"), { enabledState: "unknown", activeState: "unknown", enabled: false, active: false });
  });
});

describe("SystemdUnitState provider (real sshd, stand-in systemctl)", () => {
  let sshd: Sshd;
  let state: string;
  const systemctl = (...args: string[]) => {
    try {
      return execFileSync(join(sshd.binDir, "systemctl"), args, { encoding: "utf8" }).trim();
    } catch (e) {
      return String((e as { stdout?: string }).stdout ?? "").trim();
    }
  };
  const calls = () => readFileSync(join(state, "calls.log"), "utf8").trim().split("\n");
  const count = (f: string) => (existsSync(f) ? readFileSync(f, "utf8").trim().split("\n").length : 0);

  before(async () => {
    sshd = await startSshd();
    state = join(sshd.dir, "systemd-state");
    mkdirSync(join(state, "units", "ocs.service"), { recursive: true });
    writeFileSync(join(state, "calls.log"), "");
    const script = readFileSync(join(__dirname, "stand-in-systemctl.sh"), "utf8").replace("__STATE__", `'${state}'`);
    writeFileSync(join(sshd.binDir, "systemctl"), script);
    chmodSync(join(sshd.binDir, "systemctl"), 0o755);
  });
  after(async () => {
    await closeAll({ exitMasters: true });
    await sshd?.stop();
  });

  const props = (over: Partial<UnitProps> = {}): UnitProps => ({ ...commonProps(sshd), unit: "ocs.service", enabled: true, active: true, restartOn: ["r1"], daemonReloadOn: ["d1"], ...over });

  test("create → read equals the inputs; a hand disable is read back and diffed; update repairs; restart on trigger; delete", async () => {
    const p = props();
    const { id, outs } = await unitProvider.create(p);
    assert.deepEqual(calls().slice(0, 3), ["daemon-reload", "enable -- ocs.service", "start -- ocs.service"]);
    assert.equal(outs.enabledState, "enabled");
    assert.equal(outs.activeState, "active");
    let r = await unitProvider.read(id, outs);
    assert.deepEqual(r.inputs, p);
    assert.equal((await unitProvider.diff(id, r.props!, p)).changes, false);

    systemctl("disable", "--now", "ocs.service"); // the hand edit
    r = await unitProvider.read(id, r.props!);
    assert.equal(r.inputs!.enabled, false);
    assert.equal(r.inputs!.active, false);
    assert.equal(r.props!.activeState, "inactive");
    assert.equal((await unitProvider.diff(id, r.props!, p)).changes, true);
    const { outs: repaired } = await unitProvider.update(id, r.props!, p);
    assert.equal(systemctl("is-enabled", "ocs.service"), "enabled");
    assert.equal(systemctl("is-active", "ocs.service"), "active");
    assert.equal(count(join(state, "units/ocs.service/restarts")), 0, "a repair does not restart");

    const reloadsBefore = count(join(state, "daemon-reloads"));
    const p2 = props({ restartOn: ["r2"], daemonReloadOn: ["d2"] });
    assert.equal((await unitProvider.diff(id, repaired, p2)).changes, true);
    const { outs: after2 } = await unitProvider.update(id, repaired, p2);
    assert.equal(count(join(state, "units/ocs.service/restarts")), 1, "restartOn change restarts");
    assert.equal(count(join(state, "daemon-reloads")), reloadsBefore + 1, "daemonReloadOn change reloads");

    await unitProvider.delete(id, after2);
    assert.equal(systemctl("is-enabled", "ocs.service"), "disabled");
    assert.equal(systemctl("is-active", "ocs.service"), "inactive");
  });

  test("delete of a unit that no longer exists is a no-op; create of one fails with systemctl's words", async () => {
    const p = props({ unit: "missing.service" });
    await unitProvider.delete("x", { ...p, enabledState: "not-found", activeState: "inactive" });
    await assert.rejects(unitProvider.create(p), /exit code 1: .*Unit file missing\.service does not exist/);
  });

  test("a unit name that is not one is refused before anything runs", async () => {
    await assert.rejects(unitProvider.create(props({ unit: "x; rm -rf /" })), /is not a unit name/);
  });
});
