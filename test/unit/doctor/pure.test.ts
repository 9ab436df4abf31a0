import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mountFor, parseMountinfo } from "../../../runtime/src/doctor/mountinfo";
import { compareSemver, parseClaudeVersion } from "../../../runtime/src/doctor/versions";
import { summariseStore, probeClock } from "../../../runtime/src/doctor/facts";
import { doctorExitCode, formatFinding } from "../../../runtime/src/doctor/checks";
import { fakeAccessToken } from "../../helpers/tokens";
import type { RunResult } from "../../../runtime/src/proc";

const MI = [
  "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro",
  "30 22 0:40 / /home rw,nosuid - xfs /dev/sdb1 rw",
  "31 30 8:1 /data/claude /home/my\\040user/.claude ro,relatime - ext4 /dev/sda1 rw",
  "32 22 0:41 / /srv rw - nfs4 srv:/x ro,vers=4.2",
  "junk line without separator",
].join("\n");

describe("mountinfo", () => {
  const m = parseMountinfo(MI);
  test("parses mount point (with \\040 escapes), fs type and ro from per-mount or superblock options", () => {
    assert.equal(m.length, 4);
    assert.deepEqual(m[2], { mountPoint: "/home/my user/.claude", fsType: "ext4", readOnly: true });
    assert.equal(m[0]!.readOnly, false, "errors=remount-ro is not ro");
    assert.equal(m[3]!.readOnly, true, "superblock ro");
  });
  test("longest matching mount point wins; a name prefix is not a parent", () => {
    assert.equal(mountFor(m, "/home/my user/.claude/.credentials.json")?.mountPoint, "/home/my user/.claude");
    assert.equal(mountFor(m, "/home/my user/.claudex/f")?.mountPoint, "/home");
    assert.equal(mountFor(m, "/etc/passwd")?.mountPoint, "/");
  });
});

describe("claude versions", () => {
  test("parse and compare", () => {
    assert.deepEqual(parseClaudeVersion("2.1.240 (Claude Code)"), [2, 1, 240]);
    assert.equal(parseClaudeVersion("claude: command not found"), undefined);
    assert.ok(compareSemver([2, 1, 116], [2, 1, 117]) < 0);
    assert.ok(compareSemver([2, 2, 0], [2, 1, 999]) > 0);
  });
});

describe("store summaries hold no secret", () => {
  test("auth-profiles.json: key/access/token/refresh presence only", () => {
    const t = fakeAccessToken();
    const s = summariseStore("auth-profiles", "/p", JSON.stringify({ version: 1, profiles: { "anthropic:default": { mode: "oauth", provider: "anthropic", key: t }, "x:y": { type: "token", token: t } } }));
    assert.deepEqual(s.profiles[0], { id: "anthropic:default", type: "oauth", provider: "anthropic", hasAccess: false, hasKey: true, hasToken: false, hasRefresh: false });
    assert.equal(s.hasCredentials, true);
    assert.ok(!JSON.stringify(s).includes(t.slice(13, 40)));
  });
  test("auth.json (legacy flat) and auth-state.json", () => {
    assert.equal(summariseStore("auth.json", "/p", JSON.stringify({ anthropic: { type: "oauth", access: "a" } })).profiles[0]?.id, "anthropic:default");
    assert.equal(summariseStore("auth-state", "/p", JSON.stringify({ version: 1, lastGood: {} })).hasCredentials, false);
  });
  test("unparseable store is reported, not thrown", () => {
    assert.match(summariseStore("auth-profiles", "/p", "{nope").parseError ?? "", /JSON/);
  });
});

describe("clock probe", () => {
  const res = (stdout: string, exitCode = 0): RunResult => ({ exitCode, signal: null, timedOut: false, stdout, stderr: "", durationMs: 1 });
  test("timedatectl yes/no; else timesyncd flag file; else unknown", async () => {
    assert.equal((await probeClock(async () => res("yes\n"), "/nonexistent")).synchronized, true);
    assert.equal((await probeClock(async () => res("no\n"), "/nonexistent")).synchronized, false);
    assert.equal((await probeClock(async () => res("", 1), "/")).synchronized, true);
    assert.equal((await probeClock(async () => ({ ...res(""), exitCode: null, spawnError: "ENOENT" }), "/nonexistent")).synchronized, undefined);
  });
});

describe("output", () => {
  test("one line per finding with the fix; exit 1 only with an error", () => {
    const e = { id: "a", level: "error" as const, message: "m", fix: "f" };
    const w = { id: "b", level: "warn" as const, message: "m2", fix: "f2" };
    assert.equal(formatFinding(e), "ERROR [a] m — fix: f");
    assert.equal(formatFinding({ id: "c", level: "info", message: "x", fix: "" }), "info  [c] x");
    assert.equal(doctorExitCode([w]), 0);
    assert.equal(doctorExitCode([w, e]), 1);
    assert.equal(doctorExitCode([]), 0);
  });
});
