/**
 * The REAL Claude Code CLI (npm @anthropic-ai/claude-code, each version in CLAUDE_VERSIONS) run
 * against a loopback FAKE of Anthropic's servers (test/helpers/anthropic-fake.mjs, NOT Anthropic),
 * inside a private network namespace that has only loopback (test/helpers/claude-sandbox.ts).
 * Fake tokens only. These tests re-observe facts/claude-code.md with each version: when the CLI
 * renews, what it costs in model calls, and how each token-endpoint failure looks from outside
 * (exit, stdout, the credentials file, the --debug-file log). docs/claude-code-observed.md records
 * the results; OCS_CLAUDE_OBSERVED=<file> writes them as JSON.
 *
 * Skips (with the reason) when not root, without `ip`/`setpriv`/`openssl`, or when the CLI
 * cannot be installed from the npm registry.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CLAUDE_VERSIONS,
  TOKEN_NO_ANSWER_RE,
  claudeBin,
  claudeCliUnavailableReason,
  claudeEnv,
  fakeTokenPair,
  openClaudeNetns,
  readClaudeCredentials,
  tokenEndpointStatuses,
  writeClaudeCredentials,
  type ClaudeNetns,
  type ExecResult,
  type FakeMode,
  type FakeStats,
} from "../helpers/claude-sandbox";
import { findLeakedToken } from "../helpers/tokens";

const MIN = 60_000;
const ISSUED_EXPIRES_IN_S = 28_800;
const P_OK = ["-p", "ok", "--model", "haiku", "--max-turns", "1"];
const AUTH_STATUS = ["auth", "status"];

interface Observation {
  version: string;
  invocation: string;
  leftMin: number;
  mode: FakeMode;
  exit: number | null;
  durationMs: number;
  stdoutFirstLine: string;
  file: "renewed" | "unchanged" | "blanked" | "other";
  tokenRequests: number;
  modelCalls: number;
  debugStatuses: number[];
  debugNoAnswer: string | undefined;
}
const observations: Observation[] = [];

interface Run {
  r: ExecResult;
  before: { accessToken: string; refreshToken: string; expiresAt: number };
  after: Record<string, unknown> & { claudeAiOauth: Record<string, unknown> };
  afterRaw: string;
  stats: FakeStats;
  debug: string;
  configDir: string;
  credPath: string;
  file: Observation["file"];
}

let runCounter = 0;

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** One CLI run against the fake: fresh config dir and tokens, the fake in `mode`, a fresh debug file. */
async function runCli(
  ns: ClaudeNetns,
  version: string,
  o: { leftMs: number; argv: string[]; mode?: FakeMode; timeoutMs?: number; secureStorage?: boolean },
): Promise<Run> {
  const id = `${version}-${runCounter++}`;
  const home = join(ns.dir, `home-${id}`);
  const configDir = join(ns.dir, `config-${id}`);
  const secureDir = join(ns.dir, `secure-${id}`);
  mkdirSync(home, { recursive: true });
  mkdirSync(configDir, { recursive: true });
  const tokens = fakeTokenPair();
  const expiresAt = Date.now() + o.leftMs;
  const credPath = writeClaudeCredentials(o.secureStorage ? secureDir : configDir, { ...tokens, expiresAt, extra: { mcpOAuth: { kept: true } } });
  await ns.fake.seed({ ...tokens, expiresAt });
  await ns.fake.setMode(o.mode ?? "ok");
  await ns.fake.resetStats();
  const debugFile = join(ns.dir, `debug-${id}.log`); // the CLI appends: one file per run
  const env = claudeEnv({ home, caPath: ns.caPath, configDir, extra: o.secureStorage ? { CLAUDE_SECURESTORAGE_CONFIG_DIR: secureDir } : {} });
  const r = await ns.exec([claudeBin(version), "--debug-file", debugFile, ...o.argv], { env, timeoutMs: o.timeoutMs ?? 60_000 });
  await ns.fake.setMode("ok");
  const stats = await ns.fake.stats();
  const afterRaw = readFileSync(credPath, "utf8");
  const after = JSON.parse(afterRaw);
  const debug = existsSync(debugFile) ? readFileSync(debugFile, "utf8") : "";
  const a = after.claudeAiOauth ?? {};
  const file: Observation["file"] =
    a.accessToken === "" && a.expiresAt === 0
      ? "blanked"
      : a.accessToken === tokens.accessToken && a.refreshToken === tokens.refreshToken && a.expiresAt === expiresAt
        ? "unchanged"
        : a.accessToken !== tokens.accessToken && a.refreshToken !== tokens.refreshToken && typeof a.expiresAt === "number" && a.expiresAt > expiresAt
          ? "renewed"
          : "other";
  // Nothing the CLI printed or logged may carry a token value, old or new.
  const all = [tokens.accessToken, tokens.refreshToken, String(a.accessToken ?? ""), String(a.refreshToken ?? "")].filter((t) => t.length > 20);
  assert.equal(findLeakedToken(r.stdout + r.stderr, all), undefined, "a token value appeared in the CLI's output");
  assert.equal(findLeakedToken(debug, all), undefined, "a token value appeared in the CLI's --debug-file log");
  assert.equal(findLeakedToken(ns.fakeLog(), all), undefined, "a token value appeared in the fake's log");
  // …nor any file the CLI wrote besides the credentials file (.claude.json, backups, sessions).
  for (const f of filesUnder(configDir)) {
    if (f === credPath) continue;
    assert.equal(findLeakedToken(readFileSync(f, "utf8"), all), undefined, `a token value appeared in ${f.slice(configDir.length)}`);
  }
  const noAnswer = TOKEN_NO_ANSWER_RE.exec(debug)?.[0];
  observations.push({
    version,
    invocation: `claude ${o.argv.join(" ")}${o.secureStorage ? " (CLAUDE_SECURESTORAGE_CONFIG_DIR)" : ""}`,
    leftMin: Math.round(o.leftMs / MIN),
    mode: o.mode ?? "ok",
    exit: r.code,
    durationMs: r.durationMs,
    stdoutFirstLine: r.stdout.trim().split("\n")[0] ?? "",
    file,
    tokenRequests: stats.tokenRequests,
    modelCalls: stats.modelCalls,
    debugStatuses: tokenEndpointStatuses(debug),
    debugNoAnswer: noAnswer?.replace(/[\d.]+ms/, "<n>ms"),
  });
  return { r, before: { ...tokens, expiresAt }, after, afterRaw, stats, debug, configDir, credPath, file };
}

function assertRenewed(run: Run, started: number): void {
  const a = run.after.claudeAiOauth;
  assert.equal(run.file, "renewed", `credentials file should be renewed, got ${run.file}`);
  assert.match(String(a.accessToken), /^sk-ant-oat01-fake-/);
  assert.match(String(a.refreshToken), /^sk-ant-ort01-fake-/, "the refresh token is rotated");
  const exp = Number(a.expiresAt);
  assert.ok(exp >= started + ISSUED_EXPIRES_IN_S * 1000 - 5_000 && exp <= Date.now() + ISSUED_EXPIRES_IN_S * 1000 + 5_000, `expiresAt = now + expires_in·1000 (got ${exp - Date.now()} ms ahead)`);
  assert.deepEqual(run.after.mcpOAuth, { kept: true }, "other top-level keys are kept");
  assert.equal(a.subscriptionTypeSource, "sign_in");
  assert.ok(Array.isArray(a.scopes) && (a.scopes as string[]).includes("user:inference"));
  assert.equal(statSync(run.credPath).mode & 0o777, 0o600);
  assert.doesNotMatch(run.debug, /OAuth profile: response body failed shape validation/, "the fake's profile has the shape the CLI checks");
  assert.equal(run.stats.profileCalls >= 1, true);
  assert.equal(run.stats.tokenRequests, 1);
  assert.equal(run.stats.tokenOk, 1);
  const shape = run.stats.tokenRequestShapes[0]!;
  assert.equal(shape.contentType, "application/json");
  assert.equal(shape.hasAuthorization, false);
  assert.deepEqual(shape.fields, ["client_id", "grant_type", "refresh_token", "scope"]);
  assert.equal(shape.grant_type, "refresh_token");
  assert.equal(shape.client_id, "9d1c250a-e61b-44d9-88ed-5944d1962f5e");
}

const STATUS: Record<Exclude<FakeMode, "ok" | "hang">, number> = {
  invalid_grant: 400,
  "401": 401,
  "403-json": 403,
  "403-cloudflare": 403,
  "429": 429,
  "500": 500,
};
const FAILURE_MODES: Array<keyof typeof STATUS> = ["invalid_grant", "401", "403-json", "403-cloudflare", "429", "500"];
const DEAD_LOGIN_LINE = "Failed to authenticate: OAuth session expired and could not be refreshed";
const TRANSIENT_LINE = "Failed to authenticate. API Error: 401 OAuth token has expired. Please obtain a new token or refresh your existing token.";

// The two versions' suites and the long `-p` no-answer run each have their own namespace and fake,
// so they run side by side (the CLI mostly waits on the network).
describe("the real Claude Code CLI against a loopback FAKE of Anthropic's servers (private netns)", { concurrency: 3 }, () => {
  after(() => {
    if (process.env.OCS_CLAUDE_OBSERVED) writeFileSync(process.env.OCS_CLAUDE_OBSERVED, JSON.stringify(observations, null, 2) + "\n");
  });

  for (const version of CLAUDE_VERSIONS) {
    const skip = claudeCliUnavailableReason(version);
    // Tests inside one version's suite share its fake (mode, stats): one at a time.
    describe(`real claude ${version} vs the loopback fake`, { skip: skip ?? false, concurrency: 1 }, () => {
      let ns: ClaudeNetns & { close(): Promise<void> };
      before(async () => {
        ns = await openClaudeNetns();
      });
      after(async () => {
        await ns?.close();
      });

      test(`real claude ${version}: --version runs in the namespace`, async () => {
        const r = await ns.exec([claudeBin(version), "--version"], { timeoutMs: 30_000 });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout.trim(), `${version} (Claude Code)`);
      });

      test(`real claude ${version} vs FAKE: \`auth status\` with 4 min left renews (rotated tokens, new expiresAt) and makes 0 model calls`, async () => {
        const started = Date.now();
        const run = await runCli(ns, version, { leftMs: 4 * MIN, argv: AUTH_STATUS });
        assert.equal(run.r.code, 0, run.r.stderr);
        assert.equal(JSON.parse(run.r.stdout).loggedIn, true);
        assertRenewed(run, started);
        assert.equal(run.stats.modelCalls, 0, "no model call");
        assert.deepEqual(Object.keys(run.stats.hosts).sort(), ["api.anthropic.com", "platform.claude.com"]);
        assert.deepEqual(run.stats.dnsQueries, [], "no name outside the hosts file was looked up");
        assert.ok(existsSync(join(run.configDir, ".claude.json")), "the CLI creates <CLAUDE_CONFIG_DIR>/.claude.json");
      });

      for (const left of [6, 30]) {
        test(`real claude ${version} vs FAKE: \`auth status\` with ${left} min left renews nothing (0 token requests, 0 model calls, file byte-identical)`, async () => {
          const run = await runCli(ns, version, { leftMs: left * MIN, argv: AUTH_STATUS });
          assert.equal(run.r.code, 0, run.r.stderr);
          assert.equal(run.file, "unchanged");
          assert.equal(run.stats.tokenRequests, 0);
          assert.equal(run.stats.modelCalls, 0);
        });
      }

      test(`real claude ${version} vs FAKE: \`-p ok --model haiku --max-turns 1\` with 4 min left renews and makes ≥ 1 model call`, async () => {
        const started = Date.now();
        const run = await runCli(ns, version, { leftMs: 4 * MIN, argv: P_OK });
        assert.equal(run.r.code, 0, run.r.stderr);
        assert.equal(run.r.stdout.trim(), "ok");
        assertRenewed(run, started);
        assert.ok(run.stats.modelCalls >= 1, `model calls: ${run.stats.modelCalls}`);
        assert.equal(run.stats.modelCallsUnauthorized, 0);
        assert.deepEqual(run.stats.dnsQueries, [], "no name outside the hosts file was looked up");
        assert.deepEqual(Object.keys(run.stats.hosts).sort(), ["api.anthropic.com", "platform.claude.com"]);
      });

      test(`real claude ${version} vs FAKE: CLAUDE_SECURESTORAGE_CONFIG_DIR moves where the credentials are read and rewritten`, async () => {
        const run = await runCli(ns, version, { leftMs: 4 * MIN, argv: AUTH_STATUS, secureStorage: true });
        assert.equal(run.r.code, 0, run.r.stderr);
        assert.equal(run.file, "renewed", "the file in CLAUDE_SECURESTORAGE_CONFIG_DIR was renewed");
        assert.equal(existsSync(join(run.configDir, ".credentials.json")), false, "nothing written to CLAUDE_CONFIG_DIR/.credentials.json");
      });

      test(`real claude ${version} vs FAKE: \`-p\` with 4 min left and the token endpoint at 500 falls back to the still-valid token (exit 0, file unchanged)`, async () => {
        const run = await runCli(ns, version, { leftMs: 4 * MIN, argv: P_OK, mode: "500" });
        assert.equal(run.r.code, 0, run.r.stderr);
        assert.equal(run.r.stdout.trim(), "ok");
        assert.equal(run.file, "unchanged");
        assert.ok(run.stats.tokenRequests >= 1);
        assert.equal(run.stats.tokenOk, 0);
        assert.ok(run.stats.modelCalls >= 1);
        assert.equal(run.stats.modelCallsUnauthorized, 0);
        assert.ok(tokenEndpointStatuses(run.debug).every((s) => s === 500));
      });

      for (const mode of FAILURE_MODES) {
        const dead = mode === "invalid_grant";
        test(`real claude ${version} vs FAKE: expired token, token endpoint ${mode}: \`auth status\` exits 0, file ${dead ? "blanked" : "unchanged"}, debug log carries status ${STATUS[mode]}, no token in it`, async () => {
          const run = await runCli(ns, version, { leftMs: -MIN, argv: AUTH_STATUS, mode });
          assert.equal(run.r.code, 0, "auth status exits 0 whatever the token endpoint said");
          assert.equal(JSON.parse(run.r.stdout).storedClaudeAiLogin, true);
          assert.equal(run.r.stderr, "");
          assert.equal(run.file, dead ? "blanked" : "unchanged");
          if (dead) {
            assert.equal(run.after.claudeAiOauth.refreshToken, "");
            assert.deepEqual(run.after.mcpOAuth, { kept: true });
          }
          assert.equal(run.stats.tokenRequests, 1, "auth status asks the token endpoint once");
          assert.equal(run.stats.modelCalls, 0);
          assert.deepEqual(tokenEndpointStatuses(run.debug), [STATUS[mode]]);
        });

        test(`real claude ${version} vs FAKE: expired token, token endpoint ${mode}: \`-p\` exits 1 with the ${dead ? "session-expired" : "401"} line, file ${dead ? "blanked" : "unchanged"}`, async () => {
          const run = await runCli(ns, version, { leftMs: -MIN, argv: P_OK, mode });
          assert.equal(run.r.code, 1);
          assert.equal(run.r.stdout.trim(), dead ? DEAD_LOGIN_LINE : TRANSIENT_LINE);
          assert.equal(run.r.stderr, "");
          assert.equal(run.file, dead ? "blanked" : "unchanged");
          const statuses = tokenEndpointStatuses(run.debug);
          assert.ok(statuses.length >= 1 && statuses.every((s) => s === STATUS[mode]), `debug statuses ${statuses}`);
          assert.equal(statuses.length, run.stats.tokenRequests, "one debug line per token request");
          for (const word of ["invalid_grant", "rate_limit", "Just a moment"]) assert.ok(!run.r.stdout.includes(word));
        });
      }

      test(`real claude ${version} vs FAKE: expired token, token endpoint never answers: \`auth status\` gives up after ~8 s, exit 0, file unchanged`, async () => {
        const run = await runCli(ns, version, { leftMs: -MIN, argv: AUTH_STATUS, mode: "hang", timeoutMs: 40_000 });
        assert.equal(run.r.timedOut, false);
        assert.equal(run.r.code, 0);
        assert.equal(run.file, "unchanged");
        assert.ok(run.r.durationMs >= 7_000 && run.r.durationMs < 20_000, `took ${run.r.durationMs} ms`);
        assert.match(run.debug, /\[DEBUG\] OAuth refresh still in flight after [\d.]+ms; exiting without waiting further/);
        assert.deepEqual(tokenEndpointStatuses(run.debug), []);
      });
    });
  }

  const hangVersion = CLAUDE_VERSIONS[0];
  const hangSkip = claudeCliUnavailableReason(hangVersion);
  describe(`real claude ${hangVersion} vs the loopback fake: -p when the token endpoint never answers`, { skip: hangSkip ?? false, concurrency: 1 }, () => {
    let ns: ClaudeNetns & { close(): Promise<void> };
    before(async () => {
      ns = await openClaudeNetns();
    });
    after(async () => {
      await ns?.close();
    });

    test(`real claude ${hangVersion} vs FAKE: expired token, token endpoint never answers: \`-p\` times out per try (30 s), exit 1, file unchanged (bounded at 200 s)`, async () => {
      const run = await runCli(ns, hangVersion, { leftMs: -MIN, argv: P_OK, mode: "hang", timeoutMs: 200_000 });
      assert.equal(run.r.timedOut, false, `the CLI did not finish within 200 s (${run.r.durationMs} ms)`);
      assert.equal(run.r.code, 1);
      assert.equal(run.r.stdout.trim(), TRANSIENT_LINE);
      assert.equal(run.file, "unchanged");
      assert.match(run.debug, /\[ERROR\] OAuth refresh failed \(expected\): timeout of 30000ms exceeded/);
      assert.deepEqual(tokenEndpointStatuses(run.debug), []);
    });
  });
});
