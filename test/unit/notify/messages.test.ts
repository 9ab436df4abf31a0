import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { buildMessage, userFromCredentialsPath } from "../../../runtime/src/notify/messages";
import { buildHttpRequest, redactUrl } from "../../../runtime/src/notify/channels";
import { secretsFileProblem } from "../../../runtime/src/notify/secrets";
import { NotifySchema, ChannelSchema } from "../../../runtime/src/contract/notify";
import { fakeAccessToken, fakeRefreshToken, findLeakedToken } from "../../helpers/tokens";

const ctx = { host: "gw1", user: "alice" };
const now = Date.UTC(2026, 10, 1);

describe("notification messages", () => {
  test("login-required names host, user and the fix", () => {
    const m = buildMessage(ctx, { event: "alert", condition: "login-required", detail: "refresh rejected", now });
    assert.match(m.text, /Claude login required on gw1/);
    assert.match(m.text, /Run `claude` as alice on gw1 and log in again \(\/login\); then `openclaw-oauth-sync refresh --force`/);
    assert.match(m.text, /refresh rejected/);
    assert.equal(m.active, true);
  });
  test("docker mode also names the container command", () => {
    const m = buildMessage({ ...ctx, docker: { container: "oc-gw-1", user: "node" } }, { event: "alert", condition: "login-required", detail: "", now });
    assert.match(m.text, /docker exec -it -u node oc-gw-1 claude/);
  });
  test("recovery is inactive and says resolved", () => {
    const m = buildMessage(ctx, { event: "recovery", condition: "sync-failing", detail: "ok again", now });
    assert.equal(m.active, false);
    assert.match(m.title, /^Resolved on gw1/);
  });
  test("tokens and channel secrets in the detail are scrubbed", () => {
    const at = fakeAccessToken();
    const rt = fakeRefreshToken();
    const secret = "https://hooks.example.invalid/T000/B000/XXXXSECRETXXXX";
    const m = buildMessage(ctx, { event: "alert", condition: "sync-failing", detail: `target had ${at}, refresh ${rt}, posting to ${secret}`, now }, [secret]);
    const all = JSON.stringify(m);
    assert.equal(findLeakedToken(all, [at, rt]), undefined);
    assert.ok(!all.includes("XXXXSECRETXXXX"));
    assert.match(m.text, /\[secret\]/);
  });
  test("user from the credentials path", () => {
    assert.equal(userFromCredentialsPath("/home/bob/.claude/.credentials.json"), "bob");
    assert.equal(userFromCredentialsPath("/root/.claude/.credentials.json"), "root");
    assert.equal(userFromCredentialsPath("/srv/claude/.credentials.json"), undefined);
  });
});

describe("channel requests (pure)", () => {
  const msg = buildMessage(ctx, { event: "alert", condition: "login-required", detail: "x", now });
  test("ntfy: topic from a secret, bearer token, priority and tags", () => {
    const c = ChannelSchema.parse({ type: "ntfy", server: "https://ntfy.example/", topicSecret: "t", tokenSecret: "k", tags: ["robot"] });
    const r = buildHttpRequest({ label: "n", config: c, secrets: { t: "my-topic", k: "tk_abc" } }, msg)!;
    assert.equal(r.url, "https://ntfy.example/my-topic");
    assert.equal(r.headers.Authorization, "Bearer tk_abc");
    assert.equal(r.headers.Priority, "high");
    assert.equal(r.headers.Tags, "warning,robot");
    assert.equal(r.body, msg.text);
  });
  test("ntfy config needs exactly one of topic/topicSecret", () => {
    assert.equal(ChannelSchema.safeParse({ type: "ntfy" }).success, false);
    assert.equal(ChannelSchema.safeParse({ type: "ntfy", topic: "a", topicSecret: "b" }).success, false);
    assert.equal(ChannelSchema.safeParse({ type: "ntfy", topic: "a" }).success, true);
  });
  test("redactUrl keeps only the origin", () => {
    assert.equal(redactUrl("https://user:pw@hooks.slack.com/services/T/B/SECRET?x=1"), "https://hooks.slack.com");
    assert.equal(redactUrl("not a url"), "(unparseable URL)");
  });
  test("NotifySchema.parse({}) gives the documented defaults", () => {
    assert.deepEqual(NotifySchema.parse({}), { channels: [], reAlertMinutes: 360, maxPerHour: 6, syncFailureThreshold: 3, timeoutSeconds: 10 });
  });
  test("unknown channel keys are rejected (a secret pasted inline as 'url')", () => {
    const r = NotifySchema.safeParse({ channels: [{ type: "slack", url: "https://hooks.slack.com/x" }] });
    assert.equal(r.success, false);
  });
});

describe("secrets file permissions (pure)", () => {
  test("root-owned 0600 and 0400 are fine", () => {
    assert.equal(secretsFileProblem("/s", { isFile: true, uid: 0, mode: 0o100600 }), undefined);
    assert.equal(secretsFileProblem("/s", { isFile: true, uid: 0, mode: 0o100400 }), undefined);
  });
  test("group/other bits, wrong owner, non-file are refused with the fix", () => {
    assert.match(secretsFileProblem("/s", { isFile: true, uid: 0, mode: 0o100640 })!, /mode 0640.*chmod 600 \/s/);
    assert.match(secretsFileProblem("/s", { isFile: true, uid: 0, mode: 0o100602 })!, /chmod 600/);
    assert.match(secretsFileProblem("/s", { isFile: true, uid: 1000, mode: 0o100600 })!, /owned by uid 1000, must be owned by root; fix: chown root:root \/s/);
    assert.match(secretsFileProblem("/s", { isFile: false, uid: 0, mode: 0o40700 })!, /not a regular file/);
  });
});
