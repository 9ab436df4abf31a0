/**
 * The Pulumi program (loaded by infra/index.js, Pulumi.yaml `main: infra/`). One stack = one host.
 * The exported function's result becomes the stack outputs: unit states, token expiry (never
 * the token), storage era, route.
 */
import { makeInspectSafe } from "./error-stack";
import { runProgram } from "./program";

export = async () => {
  try {
    return await runProgram();
  } catch (e) {
    // Pulumi util.inspect()s every uncaught error; see error-stack.ts for why the stack is trimmed.
    throw makeInspectSafe(e);
  }
};
