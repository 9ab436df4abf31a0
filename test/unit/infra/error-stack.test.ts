/**
 * infra/error-stack.ts: a failing `pulumi preview` must not hang in Pulumi's util.inspect of the
 * error (Node's stack-frame colouring loops on `node_modules/@scope/file.ts:1:2` frames, which
 * @pulumi/pulumi's source maps produce).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { frameHangsInspect, inspectSafeStack, makeInspectSafe } from "../../../infra/error-stack";
import { REPO, runNodeChild, type NodeChildResult } from "../../helpers/node-child";

// The frame shape seen in a real failing preview (source-mapped @pulumi/pulumi).
const BAD = "    at async Stack.initializeAndRegisterOutputs (/work/main/node_modules/@pulumi/resource.ts:1598:22)";
const STACK = [
  "Error: This host cannot run openclaw-oauth-sync yet:\n  ✖ h: no node binary found",
  "    at gatherFacts (/p/infra/facts.ts:68:11)",
  "    at async Object.runProgram [as init] (/work/main/node_modules/@pulumi/cmd/run/run.ts:579:20)",
  BAD,
].join("\n");

test("frameHangsInspect: exactly the frames Node's colouring cannot finish", () => {
  assert.equal(frameHangsInspect(BAD), true);
  assert.equal(frameHangsInspect("    at f (/x/node_modules/lone.js:1:1)"), true);
  assert.equal(frameHangsInspect("    at f (C:\\x\\node_modules\\@s\\f.ts:1:1)"), true);
  assert.equal(frameHangsInspect("    at f (/work/main/node_modules/@pulumi/cmd/run/run.ts:579:20)"), false);
  assert.equal(frameHangsInspect("    at f (/x/node_modules/zod/v4/index.js:1:1)"), false);
  assert.equal(frameHangsInspect("    at f (/p/infra/facts.ts:68:11)"), false);
  assert.equal(frameHangsInspect("    at f (/x/my_node_modules/@a/b.ts:1:1)"), false, "not a path segment");
});

test("inspectSafeStack drops only the bad frames and keeps the (multi-line) message", () => {
  const safe = inspectSafeStack(STACK);
  assert.ok(safe.startsWith("Error: This host cannot run openclaw-oauth-sync yet:\n  ✖ h: no node binary found\n"));
  assert.ok(safe.includes("at gatherFacts (/p/infra/facts.ts:68:11)"));
  assert.ok(safe.includes("@pulumi/cmd/run/run.ts:579:20"));
  assert.ok(!safe.includes("resource.ts:1598"));
  assert.equal(inspectSafeStack("Error: x\n    at f (/a.ts:1:1)"), "Error: x\n    at f (/a.ts:1:1)");
});

test("makeInspectSafe rewrites the error and its cause chain in place", () => {
  const cause = new Error("inner");
  cause.stack = `Error: inner\n${BAD}`;
  const e = new Error("outer", { cause });
  e.stack = STACK;
  assert.equal(makeInspectSafe(e), e);
  assert.ok(!e.stack.includes("resource.ts:1598"));
  assert.equal(cause.stack, "Error: inner");
  assert.equal(makeInspectSafe("not an error"), "not an error");
});

/** Runs util.inspect(err, { colors: true }) like Pulumi's program runner, in a child (it may hang). */
function inspectInChild(sanitize: boolean, timeoutMs: number): Promise<NodeChildResult> {
  const code = `
    const util = require("util");
    const { makeInspectSafe } = require(${JSON.stringify(join(REPO, "infra/error-stack.ts"))});
    const e = new Error("x"); e.stack = ${JSON.stringify(STACK)}; e.__pulumiRunError = true;
    if (${sanitize}) makeInspectSafe(e);
    util.inspect(e, { colors: true });
  `;
  return runNodeChild(code, {}, timeoutMs);
}

test("a sanitized error is inspected (colours on, as Pulumi does) within seconds", { timeout: 60_000 }, async (t) => {
  const safe = await inspectInChild(true, 20_000);
  assert.ok(!safe.timedOut, `timed out after 20 s waiting for util.inspect of the sanitized error`);
  assert.equal(safe.code, 0);
  // Whether this Node still has the bug is only reported: a fixed Node must not fail the suite.
  const raw = await inspectInChild(false, 3000 + safe.ms);
  t.diagnostic(`unsanitized: ${raw.timedOut ? `still running after ${raw.ms} ms (Node's inspect bug present)` : `done in ${raw.ms} ms`}; sanitized: ${safe.ms} ms`);
});
