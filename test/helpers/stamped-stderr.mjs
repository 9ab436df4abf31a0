/**
 * Preload (`node --import <this file> script.mjs …`): prefixes every stderr write of the process
 * with the wall-clock time in epoch milliseconds and a space. Used to run
 * test/helpers/anthropic-fake.mjs unchanged while timing its log lines ("POST host /path -> 200",
 * one write per line) at the moment the fake writes them, not when a reader gets around to them:
 * the renewal soak (test/e2e/soak.ts) attributes each token request to a token lifetime by it.
 */
const write = process.stderr.write.bind(process.stderr);
process.stderr.write = (chunk, ...rest) => write(`${Date.now()} ${typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8")}`, ...rest);
