/**
 * Entry point of the Pulumi program (Pulumi.yaml `main: infra/`). One stack = one host.
 * The exported function's result becomes the stack outputs: unit states, token expiry (never
 * the token), storage era, route.
 */
import { runProgram } from "./program";

export = async () => runProgram();
