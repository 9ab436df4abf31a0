/**
 * Issue 18 on real OpenClaw releases, each case checked by the release itself (the same oracles
 * as openclaw-releases.test.ts: one `agent --local` turn answered by the loopback stand-in for
 * Anthropic, `models status --json`), kept short: a hand-written state dir instead of
 * `setup`/`doctor --fix`, one sync, one turn.
 *
 *  18.1  2026.2.26: an agent declared in openclaw.json `agents.list` with its own agentDir gets
 *        our token from the default auth-store target;
 *  18.2  2026.2.26: a `type:"oauth"` profile with `key` (not `access`) and a later `expires` is
 *        rewritten by sync, and the release then sends our token;
 *  18.3  2026.2.26: `edit-json` on an openclaw.json with unquoted keys, comments and trailing
 *        commas: the release loads the result and reports our model as its default;
 *  18.5  2026.9.6: right after a paste, `status` reads OpenClaw's SQLite store (read-only) and
 *        shows the profile's fingerprint and expiry; nothing in the state dir changes;
 *  18.6  2026.9.6: on the claude-cli route sync pastes no token profile, refuses while one of
 *        ours is there, and `sync --remove-route-profile` removes it (the release's
 *        `models status` then lists none).
 *
 * OCS_COMPAT_BUNDLE=<path> runs these against another bundle (e.g. one built from an older
 * commit, to see a case fail there). OCS_COMPAT=0 skips.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import JSON5 from "json5";
import { fakeCredentialsFile, findLeakedToken, fakeAccessToken } from "../helpers/tokens";
import { startAnthropicStandIn, tokenDigest, STANDIN_REPLY, type AnthropicStandIn } from "./anthropic-standin";
import { buildPrivateBundle, ensureNode, ensureOpenClaw, jsonFrom, openclawEnv, run, tail, type Installed, type RunOut } from "./harness";

const SKIP = process.env.OCS_COMPAT === "0";
const CLI_TIMEOUT_MS = Number(process.env.OCS_COMPAT_CLI_TIMEOUT_MS ?? 300_000);
const MODEL = "anthropic/claude-sonnet-4-6";

let node = "";
let bundle = process.env.OCS_COMPAT_BUNDLE ?? "";
let buildDir = "";
let standIn: AnthropicStandIn;

before(async () => {
  if (SKIP) return;
  if (!bundle) {
    ({ bundle, dir: buildDir } = await buildPrivateBundle("ocs-compat18-bundle-"));
  }
  node = await ensureNode();
  standIn = await startAnthropicStandIn();
});

after(async () => {
  if (SKIP) return;
  await standIn?.close();
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
});

/** One scratch host: HOME, OpenClaw's state dir, our state dir, a Claude login with a fake token. */
class Scratch {
  readonly root = mkdtempSync(join(tmpdir(), "ocs-compat18-"));
  readonly home = join(this.root, "home");
  readonly stateDir = join(this.root, "state");
  readonly ours = join(this.root, "ours");
  readonly credsPath = join(this.home, ".claude/.credentials.json");
  readonly creds = fakeCredentialsFile({ expiresAt: Date.now() + 7 * 3600_000 });
  readonly token = this.creds.claudeAiOauth.accessToken as string;
  readonly refresh = this.creds.claudeAiOauth.refreshToken as string;
  readonly expiresAt = this.creds.claudeAiOauth.expiresAt as number;
  readonly ourOutputs: string[] = [];
  readonly cfgPath = join(this.root, "ocs-config.json");
  constructor(readonly installed: Installed) {
    for (const d of [this.home, this.stateDir, this.ours, join(this.home, ".claude")]) mkdirSync(d, { recursive: true, mode: 0o700 });
    writeFileSync(this.credsPath, JSON.stringify(this.creds, null, 2), { mode: 0o600 });
  }

  env(): NodeJS.ProcessEnv {
    return openclawEnv({ node, home: this.home, stateDir: this.stateDir, proxyUrl: standIn.proxyUrl, caFile: standIn.caFile });
  }

  async oc(args: string[]): Promise<RunOut> {
    const r = await run([node, this.installed.cli, ...args], { env: this.env(), timeoutMs: CLI_TIMEOUT_MS });
    if (r.timedOut) throw new Error(`openclaw ${args.join(" ")} did not finish within ${CLI_TIMEOUT_MS} ms`);
    return r;
  }

  async ours_(args: string[], input?: string): Promise<RunOut> {
    const r = await run([process.execPath, bundle, ...args], { env: this.env(), timeoutMs: CLI_TIMEOUT_MS + 60_000, ...(input !== undefined ? { input } : {}) });
    this.ourOutputs.push(r.stdout + r.stderr);
    return r;
  }

  writeConfig(targets: unknown[], extra: Record<string, unknown> = {}): void {
    const cfg = {
      claudeCredentials: this.credsPath,
      stateDir: this.ours,
      openclaw: { stateDir: this.stateDir, cli: [node, this.installed.cli] },
      reload: { action: "none" },
      targets,
      ...extra,
    };
    writeFileSync(this.cfgPath, JSON.stringify(cfg), { mode: 0o600 });
  }

  /** One embedded turn of `agent`; what the stand-in saw meanwhile. */
  async turn(agent: string) {
    const from = standIn.requests.length;
    const r = await this.oc(["agent", "--local", "--agent", agent, "--session-id", `ocs18-${agent}`, "--message", "hi", "--json"]);
    return { r, seen: standIn.requests.slice(from).filter((q) => q.path.startsWith("/v1/messages")) };
  }

  scrub(s: string): string {
    return s.split(this.token).join("<token>").split(this.refresh).join("<refresh>");
  }

  assertNoLeak(): void {
    const leaks = this.ourOutputs.filter((o) => findLeakedToken(o, [this.token, this.refresh]) !== undefined);
    assert.equal(leaks.length, 0, "a token value in our bundle's output");
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

interface SyncJson {
  results?: { target: string; outcome: string; era?: string; path?: string; detail: string }[];
}

async function withScratch(version: string, fn: (s: Scratch) => Promise<void>): Promise<void> {
  const installed = await ensureOpenClaw(version);
  const s = new Scratch(installed);
  const started = Date.now();
  try {
    await fn(s);
  } finally {
    process.stdout.write(`# ${version}: ${Math.round((Date.now() - started) / 1000)} s\n`);
    s.cleanup();
  }
}

/** The JSON-era store of one agent as OpenClaw 2026.2.26 reads it (facts/openclaw.md §3.2). */
function writeStore(agentDir: string, profile: Record<string, unknown>): void {
  mkdirSync(agentDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(agentDir, "auth-profiles.json"), JSON.stringify({ version: 1, profiles: { "anthropic:default": profile }, lastGood: { anthropic: "anthropic:default" } }, null, 2), { mode: 0o600 });
}

/** Every file under `dir` with size and mtime: "status wrote nothing" is "this did not change". */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out.set(p, `${st.size}:${st.mtimeMs}:${createHash("sha256").update(readFileSync(p)).digest("hex")}`);
    }
  };
  walk(dir);
  return out;
}

describe("issue 18 on real OpenClaw releases", { skip: SKIP ? "OCS_COMPAT=0" : false, concurrency: 1 }, () => {
  test("18.1 2026.2.26: an agents.list agent with its own agentDir gets our token from the default auth-store target", { timeout: 900_000 }, () =>
    withScratch("2026.2.26", async (s) => {
      const workDir = join(s.root, "elsewhere/work/agent");
      writeFileSync(
        join(s.stateDir, "openclaw.json"),
        JSON.stringify({ agents: { defaults: { model: { primary: MODEL } }, list: [{ id: "main", default: true }, { id: "work", agentDir: workDir }] } }, null, 2),
      );
      // Both agents hold yesterday's token: the state a host is in when Claude renewed overnight.
      const old = fakeAccessToken();
      for (const d of [join(s.stateDir, "agents/main/agent"), workDir]) writeStore(d, { type: "token", provider: "anthropic", token: old, expires: Date.now() - 3600_000 });
      s.writeConfig([{ kind: "auth-store" }]);
      const sync = await s.ours_(["--config", s.cfgPath, "sync", "--json"]);
      const rep = jsonFrom(sync.stdout) as SyncJson | undefined;
      assert.equal(sync.code, 0, `sync: ${tail(s.scrub(sync.stdout + sync.stderr))}`);
      const work = rep?.results?.find((r) => r.target === "auth-store:work");
      assert.equal(work?.outcome, "written", `auth-store:work: ${JSON.stringify(rep?.results?.map((r) => `${r.target}=${r.outcome}`))}`);
      assert.equal(work?.path, join(workDir, "auth-profiles.json"));
      const t = await s.turn("work");
      const ours = t.seen.filter((q) => q.digest === tokenDigest(s.token));
      assert.ok(
        ours.length > 0 && ours.every((q) => q.scheme === "bearer") && !t.seen.some((q) => q.digest === tokenDigest(old)),
        `agent "work": ${t.seen.length} request(s), ${ours.length} with our token; exit ${t.r.code}; ${tail(s.scrub(t.r.stderr || t.r.stdout), 4)}`,
      );
      assert.ok((t.r.stdout + t.r.stderr).includes(STANDIN_REPLY), `agent "work" got no reply: exit ${t.r.code}`);
      s.assertNoLeak();
    }),
  );

  test("18.2 2026.2.26: an oauth profile with key instead of access and a later expires is rewritten, and the release sends our token", { timeout: 900_000 }, () =>
    withScratch("2026.2.26", async (s) => {
      writeFileSync(join(s.stateDir, "openclaw.json"), JSON.stringify({ agents: { defaults: { model: { primary: MODEL } } } }, null, 2));
      const agentDir = join(s.stateDir, "agents/main/agent");
      // The seed's mistake: "key" where OpenClaw reads "access"; its expiry is later than Claude's token.
      const broken = fakeAccessToken();
      writeStore(agentDir, { type: "oauth", provider: "anthropic", key: broken, expires: s.expiresAt + 6 * 3600_000 });
      s.writeConfig([{ kind: "auth-store", profileType: "oauth" }]);
      const sync = await s.ours_(["--config", s.cfgPath, "sync", "--json"]);
      const rep = jsonFrom(sync.stdout) as SyncJson | undefined;
      assert.equal(sync.code, 0, `sync: ${tail(s.scrub(sync.stdout + sync.stderr))}`);
      const main = rep?.results?.find((r) => r.target === "auth-store:main");
      assert.equal(main?.outcome, "written", `auth-store:main: ${main?.outcome}: ${main?.detail}`);
      const stored = JSON.parse(readFileSync(join(agentDir, "auth-profiles.json"), "utf8")) as { profiles: Record<string, Record<string, unknown>> };
      const p = stored.profiles["anthropic:default"]!;
      assert.ok(p.access === s.token && !("key" in p) && p.expires === s.expiresAt, `profile keys now: ${Object.keys(p).join(",")}`);
      const t = await s.turn("main");
      const ours = t.seen.filter((q) => q.digest === tokenDigest(s.token));
      assert.ok(ours.length > 0 && ours.every((q) => q.scheme === "bearer"), `${t.seen.length} request(s), ${ours.length} with our token; exit ${t.r.code}; ${tail(s.scrub(t.r.stderr || t.r.stdout), 4)}`);
      assert.ok((t.r.stdout + t.r.stderr).includes(STANDIN_REPLY), `no reply: exit ${t.r.code}`);
      s.assertNoLeak();
    }),
  );

  test("18.3 2026.2.26: edit-json on an openclaw.json with unquoted keys, comments and trailing commas is loaded by the release with our model", { timeout: 900_000 }, () =>
    withScratch("2026.2.26", async (s) => {
      const cfg = join(s.stateDir, "openclaw.json");
      const given = [
        "// written by hand, as OpenClaw's docs show it",
        "{",
        "  agents: {",
        "    defaults: {",
        "      model: { primary: 'openai/gpt-5', }, // to be replaced",
        "      /* keep me */",
        "      workspace: '~/.openclaw/workspace',",
        "    },",
        "  },",
        "  gateway: { mode: 'local', port: 18789, },",
        "}",
        "",
      ].join("\n");
      writeFileSync(cfg, given);
      const edits = [
        { path: ["agents", "defaults", "model", "primary"], value: MODEL },
        { path: ["agents", "defaults", "model", "fallbacks"], value: ["anthropic/claude-haiku-4-5"] },
        { path: ["agents", "defaults", "models", MODEL, "alias"], value: "sonnet" },
      ];
      const e = await s.ours_(["edit-json"], JSON.stringify({ file: cfg, json5: true, edits }));
      assert.equal(e.code, 0, `edit-json: ${tail(e.stdout + e.stderr, 4)}`);
      const text = readFileSync(cfg, "utf8");
      for (const kept of ["// written by hand", "/* keep me */", "// to be replaced", "gateway: { mode: 'local', port: 18789, }"]) assert.ok(text.includes(kept), `lost ${JSON.stringify(kept)}:\n${text}`);
      const doc = JSON5.parse(text) as { agents: { defaults: { model: { primary: string; fallbacks: string[] }; models: Record<string, { alias: string }> } } };
      assert.equal(doc.agents.defaults.model.primary, MODEL);
      assert.equal(doc.agents.defaults.models[MODEL]?.alias, "sonnet");
      // The release's own loader (2026.2.26 has no `config validate`): models status loads and validates the file.
      const st = await s.oc(["models", "status", "--json"]);
      const bad = /invalid config|config invalid|unrecognized key/i.test(st.stdout + st.stderr);
      const sj = jsonFrom(st.stdout) as { defaultModel?: string; resolvedDefault?: string; fallbacks?: string[]; aliases?: Record<string, string> } | undefined;
      assert.ok(st.code === 0 && !bad && sj !== undefined, `models status: exit ${st.code}; ${tail(st.stdout + st.stderr, 6)}`);
      assert.equal(sj.resolvedDefault ?? sj.defaultModel, MODEL, `release's default model: ${JSON.stringify({ d: sj.defaultModel, r: sj.resolvedDefault })}`);
      assert.deepEqual(sj.fallbacks, ["anthropic/claude-haiku-4-5"]);
      // Idempotent: the same edits again change nothing.
      const again = await s.ours_(["edit-json"], JSON.stringify({ file: cfg, json5: true, edits }));
      assert.equal(again.code, 0);
      assert.equal(readFileSync(cfg, "utf8"), text, "a second edit-json changed the file");
    }),
  );

  test("18.5 2026.9.6: right after a paste, status reads OpenClaw's SQLite store (fingerprint and expiry) without writing", { timeout: 900_000 }, () =>
    withScratch("2026.9.6", async (s) => {
      // The release lays out its own state (2026.9.6: openclaw.json and the shared state/openclaw.sqlite, no agent dir).
      const set = await s.oc(["models", "set", MODEL]);
      assert.equal(set.code, 0, `openclaw models set: ${tail(set.stdout + set.stderr, 4)}`);
      s.writeConfig([{ kind: "auth-store" }], { openclaw: { stateDir: s.stateDir, cli: [node, s.installed.cli], cliTimeoutSeconds: 600 } });
      const sync = await s.ours_(["--config", s.cfgPath, "sync", "--json"]);
      const rep = jsonFrom(sync.stdout) as SyncJson | undefined;
      assert.equal(sync.code, 0, `sync: ${tail(s.scrub(sync.stdout + sync.stderr))}`);
      assert.equal(rep?.results?.[0]?.outcome, "written", JSON.stringify(rep?.results));
      const before = snapshot(s.stateDir);
      const st = await s.ours_(["--config", s.cfgPath, "status", "--json"]);
      const sr = jsonFrom(st.stdout) as { targets?: { target: string; state: string; era?: string; expiresAt?: number; fingerprint?: string; detail: string }[] } | undefined;
      const t = sr?.targets?.find((x) => x.target.startsWith("auth-store"));
      assert.ok(t, `status targets: ${st.stdout.slice(0, 400)}`);
      assert.equal(t.target, "auth-store:main", t.detail);
      assert.equal(t.state, "in-sync", t.detail);
      assert.equal(t.era, "sqlite");
      assert.equal(t.fingerprint, createHash("sha256").update(s.token).digest("hex").slice(0, 16), "fingerprint of the token in OpenClaw's store");
      // paste-token --expires-in <N>m rounds up to whole minutes.
      assert.ok(t.expiresAt !== undefined && t.expiresAt - s.expiresAt >= -5_000 && t.expiresAt - s.expiresAt <= 120_000, `expiry in the store ${t.expiresAt}, ours ${s.expiresAt}`);
      assert.match(t.detail, /state\/openclaw\.sqlite/);
      const human = await s.ours_(["--config", s.cfgPath, "status"]);
      assert.doesNotMatch(human.stdout, /no agent dirs yet/);
      assert.deepEqual(snapshot(s.stateDir), before, "status changed a file in OpenClaw's state dir");
      s.assertNoLeak();
    }),
  );

  test("18.6 2026.9.6: on the claude-cli route no token profile is pasted, and ours is removed by sync --remove-route-profile", { timeout: 900_000 }, () =>
    withScratch("2026.9.6", async (s) => {
      const set = await s.oc(["models", "set", MODEL]);
      assert.equal(set.code, 0, `openclaw models set: ${tail(set.stdout + set.stderr, 4)}`);
      s.writeConfig([{ kind: "auth-store" }], { openclaw: { stateDir: s.stateDir, cli: [node, s.installed.cli], cliTimeoutSeconds: 600 } });
      // Direct route first: our profile goes in (what an older version of this tool did on every route).
      const first = await s.ours_(["--config", s.cfgPath, "sync", "--json"]);
      assert.equal((jsonFrom(first.stdout) as SyncJson | undefined)?.results?.[0]?.outcome, "written", tail(s.scrub(first.stdout + first.stderr)));
      // The operator switches the model to the claude-cli runtime (facts §9's config).
      const cfg = join(s.stateDir, "openclaw.json");
      const e = await s.ours_(["edit-json"], JSON.stringify({ file: cfg, json5: true, edits: [{ path: ["agents", "defaults", "models", MODEL, "agentRuntime"], value: { id: "claude-cli" } }] }));
      assert.equal(e.code, 0, tail(e.stdout + e.stderr, 4));
      const refused = await s.ours_(["--config", s.cfgPath, "sync", "--json"]);
      const r1 = (jsonFrom(refused.stdout) as SyncJson | undefined)?.results?.[0];
      assert.equal(refused.code, 1, "a profile of ours shadowing Claude's login needs attention");
      assert.equal(r1?.outcome, "refused", r1?.detail);
      assert.match(r1?.detail ?? "", /--remove-route-profile/);
      const removed = await s.ours_(["--config", s.cfgPath, "sync", "--json", "--remove-route-profile"]);
      const r2 = (jsonFrom(removed.stdout) as SyncJson | undefined)?.results?.[0];
      assert.equal(removed.code, 0, tail(s.scrub(removed.stdout + removed.stderr)));
      assert.match(r2?.detail ?? "", /removed/, r2?.detail);
      // The release's own view: no anthropic:default profile any more.
      const st = await s.oc(["models", "status", "--json"]);
      const sj = jsonFrom(st.stdout) as { auth?: { oauth?: { profiles?: { profileId: string }[] } } } | undefined;
      assert.ok(sj !== undefined, `models status: exit ${st.code}`);
      assert.ok(!(sj.auth?.oauth?.profiles ?? []).some((p) => p.profileId === "anthropic:default"), `profiles: ${JSON.stringify(sj.auth?.oauth?.profiles?.map((p) => p.profileId))}`);
      // And sync leaves it that way; status says so.
      const again = await s.ours_(["--config", s.cfgPath, "sync", "--json"]);
      const r3 = (jsonFrom(again.stdout) as SyncJson | undefined)?.results?.[0];
      assert.ok(again.code === 0 && r3?.outcome === "unchanged", `${again.code} ${r3?.outcome}: ${r3?.detail}`);
      const status = await s.ours_(["--config", s.cfgPath, "status", "--json"]);
      const t = (jsonFrom(status.stdout) as { targets?: { state: string; detail: string }[] } | undefined)?.targets?.[0];
      assert.equal(t?.state, "in-sync", t?.detail);
      s.assertNoLeak();
    }),
  );
});
