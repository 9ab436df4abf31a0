/**
 * The Pulumi program (loaded by infra/index.js, Pulumi.yaml `main: infra/`). A stack holds one
 * host (`host`) or many (`hosts`).
 * The exported function's result becomes the stack outputs: unit states, token expiry (never
 * the token), storage era, route.
 */
import { makeInspectSafe } from "./error-stack";
import { runStack } from "./program";
import { cheapenPromiseTrackerStacks } from "./promise-stacks";

cheapenPromiseTrackerStacks();

export = async () => {
  try {
    return await runStack();
  } catch (e) {
    // Pulumi util.inspect()s every uncaught error; see error-stack.ts for why the stack is trimmed.
    throw makeInspectSafe(e);
  }
};
