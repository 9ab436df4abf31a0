import { test } from "node:test";
import assert from "node:assert/strict";
import { cheapenPromiseTrackerStacks, PULUMI_PROMISE_TRACKER } from "../../../infra/promise-stacks";

test("only the SDK's promise-tracker traces skip the mapping formatter; every other stack still goes through it", () => {
  const saved = Error.prepareStackTrace;
  let mappedCalls = 0;
  try {
    Error.prepareStackTrace = (e: Error) => {
      mappedCalls++;
      return `MAPPED ${e.message}`;
    };
    assert.equal(cheapenPromiseTrackerStacks(), true);
    assert.equal(cheapenPromiseTrackerStacks(), false, "wrapping twice would stack wrappers");
    const tracked = { [PULUMI_PROMISE_TRACKER]: () => new Error("t").stack }[PULUMI_PROMISE_TRACKER]!;
    const s = tracked();
    assert.match(s ?? "", /^Error: t\n    at debuggablePromise /);
    assert.equal(mappedCalls, 0);
    function ours() {
      return new Error("x").stack;
    }
    assert.equal(ours(), "MAPPED x");
    assert.equal(mappedCalls, 1);
  } finally {
    Error.prepareStackTrace = saved;
  }
});

test("no formatter installed: nothing is wrapped", () => {
  const saved = Error.prepareStackTrace;
  try {
    delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
    assert.equal(cheapenPromiseTrackerStacks(), false);
    assert.equal(Error.prepareStackTrace, undefined);
  } finally {
    Error.prepareStackTrace = saved;
  }
});
