/**
 * The renewal soak, shared by test/e2e/renewal-soak.test.ts (asserts the promise) and
 * bench/renewal.ts (reports the figures): the REAL Claude Code CLI renews a login on a throwaway
 * systemd host, driven only by the units `pulumi up` installed, over several short token lifetimes.
 *
 * - Host: scripts/testhost.sh with the cached CLI's directory bind-mounted read-only at
 *   /opt/ocs-claude (stack key claudeCli points there). The stack is the real one: native mode,
 *   account `claw`, targets auth-store (agents main + work), oauth.json and .env, a refresh timer
 *   every 20 s (refreshInterval "*:*:0/20", refreshRandomizedDelay "1s", refreshMaxWaitMinutes 5)
 *   and a command notify channel that appends "<ms> <condition> <event>" to a file (a page).
 * - Anthropic: test/helpers/anthropic-fake.mjs, a loopback FAKE, runs inside the host's network
 *   namespace (`ip netns exec ocs-<name>`) on 127.0.0.1:443, so it is the host's own loopback;
 *   the namespace has no route off the machine. The host maps Anthropic's names to 127.0.0.1 in
 *   /etc/hosts and trusts a throwaway CA through a test-only drop-in on the refresh service
 *   (`Environment=NODE_EXTRA_CA_CERTS=…`; the runtime hands that variable to the CLI). The fake
 *   issues tokens with expires_in = `expiresIn` (400 s): the CLI renews in its last 5 minutes, the
 *   runtime aims at 270–120 s before expiry, so a lifetime lasts 130–280 s.
 * - Login: after `pulumi up`, a credentials file with fake tokens seeded into the fake, expiring
 *   in `expiresIn` (written like Claude Code does, temp file + rename, as `claw`).
 *
 * Measured, per token lifetime (from the issue of token k to the issue of token k+1; a token's
 * issue time is its expiresAt − expiresIn, as the CLI computes expiresAt = now + expires_in):
 * - CLI runs: the refresh journal's "running the Claude CLI" lines (host journal timestamps);
 * - token requests (ok / failed) and model calls: the fake's log lines, each stamped with the
 *   fake's own clock when written (test/helpers/stamped-stderr.mjs; same kernel clock as the host);
 * - seconds a target held an expired token: POLLED. Every `pollMs` one SSH command reads the
 *   credentials file and every target on the host; each access token found in a target is looked
 *   up by its expiry (learnt from the credentials file, where every token sits for minutes) and
 *   counted expired when that expiry is not after the poll's host time. Polling observes what
 *   OpenClaw would read, independently of the runtime's own logs (deriving it from the watcher's
 *   sync log would trust the component under test); the renewal happens ≥ 120 s before expiry,
 *   so a 2-s resolution cannot hide an expired interval that matters, and any poll that sees one
 *   counts the whole gap before it;
 * - pages: lines in the notify channel's file.
 *
 * Token values stay in this process's memory (for the leak checks) and on the host; the result
 * holds none. Every wait is bounded; the fake is stopped by its PID (process group) and the host
 * by testhost.sh down, also on failure.
 */
import { waitForReady } from "../helpers/ready";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { CLAUDE_HOSTNAMES, claudeBin, claudeCliUnavailableReason, fakeTokenPair, throwawayCa, FAKE_SERVER } from "../helpers/claude-sandbox";
import { fakeCredentialsFile, findLeakedToken } from "../helpers/tokens";
import { prepareNative, writeCredsAs, type Creds } from "./fixtures";
import { PULUMI_BIN, PulumiWorkspace, TestHost, requirePrerequisites } from "./harness";

const USER = "claw";
const HOME = `/home/${USER}`;
const STATE = `${HOME}/.openclaw`;
const CREDS = `${HOME}/.claude/.credentials.json`;
const CALL_LOG = `${STATE}/.standin-calls.log`;
const PAGE_LOG = "/var/lib/openclaw-oauth-sync/soak-pages.log";
const GUEST_CLAUDE_DIR = "/opt/ocs-claude";
const GUEST_CA = "/usr/local/share/ocs-soak/anthropic-fake-ca.pem";
const REFRESH_UNIT = "openclaw-oauth-sync-refresh.service";
const STAMPED_STDERR = join(__dirname, "..", "helpers", "stamped-stderr.mjs");
export const SOAK_TARGETS = [
  `${STATE}/agents/main/agent/auth-profiles.json`,
  `${STATE}/agents/work/agent/auth-profiles.json`,
  `${STATE}/credentials/oauth.json`,
  `${STATE}/.env`,
] as const;

export interface SoakOptions {
  /** Complete token lifetimes to observe (the login's counts as the first). */
  lifetimes: number;
  /** expires_in (s) of the tokens the fake issues, and of the login. */
  expiresIn: number;
  claudeVersion: string;
  /** How often the targets are read on the host. */
  pollMs: number;
  /** Progress lines (test diagnostics, bench stderr). */
  log: (line: string) => void;
}

export interface LifetimeFigures {
  /** 0 = the login written by the soak; 1… = tokens the CLI got from the fake. */
  index: number;
  issuedAt: number;
  expiresAt: number;
  /** From this token's issue to the next token's issue. */
  lengthS: number;
  /** How long before this token's expiry its successor was issued. */
  renewedBeforeExpiryS: number;
  cliRuns: number;
  /** Starts of the refresh service (timer runs; a run that waits covers several timer ticks). */
  serviceRuns: number;
  tokenRequests: number;
  tokenOk: number;
  tokenFailed: number;
  modelCalls: number;
  /** Longest time any one target held an expired access token in this lifetime (s, poll resolution). */
  expiredTargetSeconds: number;
  expiredByTarget: Record<string, number>;
  /** Polls in which a target held no access token at all. */
  targetWithoutToken: number;
  /** Target × poll pairs in which a target held more than one distinct access token. */
  targetWithSeveralTokens: number;
  /** From the issue until every target held this token (s; the first poll that saw it everywhere). */
  targetsCurrentAfterS: number | null;
  /** Validity left on the previous token when every target held this one (s). */
  previousTokenLeftS: number | null;
  pages: number;
}

export interface SoakResult {
  claudeVersion: string;
  expiresIn: number;
  pollMs: number;
  lifetimesWanted: number;
  lifetimes: LifetimeFigures[];
  polls: number;
  maxPollGapMs: number;
  /** Access tokens seen in a target that never were in the credentials file. */
  unknownTargetTokens: number;
  /** The fake's own counters over the whole soak (after the login). */
  fake: { tokenRequests: number; tokenOk: number; tokenFailed: number; modelCalls: number; profileCalls: number; hosts: Record<string, number> };
  /** Per renewal: the issue time the CLI wrote minus the fake's stamp of its token response (ms; within ±SLACK_MS for the attribution to hold). */
  tokenResponseToIssueMs: number[];
  /** "<condition> <event>" of every page. */
  pages: string[];
  /** Refresh journal lines that are not a plain renewal or wait (warnings, failures). */
  refreshProblems: string[];
  /** Where a token value was found (journal, pulumi output, state, fake log); empty = nowhere. */
  leaks: string[];
  setup: { bootMs: number; upMs: number; load1AtStart: number };
  soakMs: number;
  load1AtEnd: number;
}

/** Why the soak cannot run here (a skip reason), or undefined. Other missing prerequisites fail the run. */
export function soakUnavailableReason(claudeVersion: string): string | undefined {
  if (process.getuid?.() !== 0) return "needs root (systemd-nspawn, network namespaces)";
  const cli = claudeCliUnavailableReason(claudeVersion);
  if (cli) return `the real Claude Code CLI ${claudeVersion} is unavailable: ${cli}`;
  try {
    requirePrerequisites();
  } catch (e) {
    if ((e as Error).message.includes(PULUMI_BIN)) return `the Pulumi CLI is not built (${PULUMI_BIN}): run "bash scripts/ensure-pulumi-cli.sh"`;
  }
  return undefined;
}

interface Poll {
  now: number;
  credsToken: string | undefined;
  credsExpiresAt: number | undefined;
  targets: Record<string, string[]>;
}

/** One SSH command per poll: the host's time in ms, the credentials file, every access token in each target. */
const POLL_SCRIPT = [
  `printf '{"now":%s,"creds":' "$(date +%s%3N)"`,
  `if [ -s ${CREDS} ]; then cat ${CREDS}; else printf null; fi`,
  `printf ',"targets":{'`,
  `sep=`,
  `for f in ${SOAK_TARGETS.join(" ")}; do printf '%s"%s":[' "$sep" "$f"; sep=,; s2=; for t in $(grep -ohE 'sk-ant-oat01-[A-Za-z0-9_-]+' "$f" 2>/dev/null | sort -u); do printf '%s"%s"' "$s2" "$t"; s2=,; done; printf ']'; done`,
  `printf '}}\\n'`,
].join("\n");

function parseJournalMs(line: string): number | undefined {
  const m = /^(\d+)\.(\d{6}) /.exec(line);
  return m ? Number(m[1]) * 1000 + Math.floor(Number(m[2]) / 1000) : undefined;
}

/** Starts the fake inside the host's network namespace; resolves once it printed "ready". */
async function startFake(netns: string, tls: { certPath: string; keyPath: string }, control: string, expiresIn: number): Promise<{ child: ChildProcess; log: () => string }> {
  const argv = ["netns", "exec", netns, process.execPath, "--import", pathToFileURL(STAMPED_STDERR).href, FAKE_SERVER];
  argv.push("--cert", tls.certPath, "--key", tls.keyPath, "--port", "443", "--host", "127.0.0.1", "--control", control, "--expires-in", String(expiresIn));
  const child = spawn("ip", argv, { detached: true, stdio: ["ignore", "pipe", "pipe"], env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" } });
  let text = "";
  child.stderr!.setEncoding("utf8").on("data", (d: string) => {
    text += d;
    if (text.length > 4_000_000) text = text.slice(-2_000_000);
  });
  await waitForReady(child, 15_000, () => text);
  return { child, log: () => text };
}

async function stopFake(child: ChildProcess): Promise<void> {
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const wait = (ms: number) => (gone() ? Promise.resolve() : new Promise<void>((r) => {
    const t = setTimeout(r, ms);
    child.once("exit", () => {
      clearTimeout(t);
      r();
    });
  }));
  for (const sig of ["SIGTERM", "SIGKILL"] as const) {
    if (gone() || child.pid === undefined) return;
    try {
      process.kill(-child.pid, sig); // its own process group: we made it detached
    } catch {
      return;
    }
    await wait(5000);
  }
}

/** HTTP over the fake's control socket (a pathname UNIX socket outside the namespace). */
async function control(socketPath: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const { request } = await import("node:http");
  return new Promise((res, rej) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request({ socketPath, path, method, headers: data ? { "content-type": "application/json", "content-length": Buffer.byteLength(data) } : {}, timeout: 5000 }, (r) => {
      let text = "";
      r.setEncoding("utf8").on("data", (c: string) => (text += c));
      r.on("end", () => ((r.statusCode ?? 500) >= 300 ? rej(new Error(`fake control ${method} ${path}: ${r.statusCode} ${text}`)) : res(text ? (JSON.parse(text) as Record<string, unknown>) : {})));
    });
    req.on("timeout", () => req.destroy(new Error(`fake control ${method} ${path}: no answer in 5 s`)));
    req.on("error", rej);
    req.end(data);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A credentials file as Claude Code writes it after /login, with fake tokens expiring in `expiresIn` s. */
function loginCreds(expiresIn: number): Creds {
  const { accessToken, refreshToken } = fakeTokenPair();
  const expiresAt = Date.now() + expiresIn * 1000;
  return { accessToken, refreshToken, expiresAt, json: JSON.stringify(fakeCredentialsFile({ accessToken, refreshToken, expiresAt })) };
}

/**
 * Discrete events (a CLI run starting, a token response, a model call, a page, a service start)
 * belong to lifetime k when they happen in (issue_k + SLACK, issue_{k+1} + SLACK]. A renewal's
 * token response and the issue time the CLI derives from its own clock are milliseconds apart, in
 * either order under load (the fake stamps its line when the response is flushed); nothing else
 * is expected within seconds after a renewal, and anything that did would still be counted.
 */
const SLACK_MS = 5000;

/**
 * Boots a host, runs the soak, tears everything down (also on failure) and returns the figures.
 * Throws when the setup fails; a soak whose renewals fail still returns (with fewer lifetimes).
 */
export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  requirePrerequisites();
  const cli = claudeBin(o.claudeVersion);
  const load1AtStart = Number(loadavg()[0]!.toFixed(2));
  const name = TestHost.uniqueName("soak");
  const ws = new PulumiWorkspace();
  const scratch = mkdtempSync(join(tmpdir(), "ocs-soak-"));
  let fake: { child: ChildProcess; log: () => string } | undefined;
  try {
    const h = await TestHost.up(name, { bindRo: [`${dirname(cli)}:${GUEST_CLAUDE_DIR}`] });
    o.log(`boot ${name}: ${h.bootMs} ms; claude ${o.claudeVersion} at ${GUEST_CLAUDE_DIR}/${basename(cli)} (read-only bind mount)`);
    const netns = (h.env as unknown as Record<string, string>).NETNS || `ocs-${name}`;
    const tls = throwawayCa(join(scratch, "tls"), CLAUDE_HOSTNAMES);
    const sock = join(scratch, "fake.sock");
    fake = await startFake(netns, tls, sock, o.expiresIn);
    const fakeLog = fake.log;

    // The host before openclaw-oauth-sync: a login the fake knows, expiring in `expiresIn` like the
    // soak's own (written after `pulumi up`). Every token issued before that login expires before
    // it, so the sync's "never downgrade" lets it through; if a slow `up` lets the timer renew
    // this one first, the fake grants it.
    const initial = loginCreds(o.expiresIn);
    await control(sock, "POST", "/seed", { accessToken: initial.accessToken, refreshToken: initial.refreshToken, expiresAt: initial.expiresAt });
    const tokens: string[] = [initial.accessToken, initial.refreshToken];
    await prepareNative(h, { user: USER, agents: ["main", "work"], creds: initial });
    await h.installStandIns({ log: CALL_LOG }, { openclawOnPath: true, claudeOnPath: false });
    await h.sh(`install -m 0666 -o ${USER} -g ${USER} /dev/null ${CALL_LOG}`);
    // Anthropic's names → the fake on the host's loopback; the fake's CA for the CLI (through the runtime).
    await h.sh(`mkdir -p ${dirname(GUEST_CA)} && cat > ${GUEST_CA} && chmod 0644 ${GUEST_CA} && printf '127.0.0.1 %s\\n' '${CLAUDE_HOSTNAMES.join(" ")}' >> /etc/hosts`, { stdin: readFileSync(tls.caPath, "utf8") });
    await h.sh(`mkdir -p /etc/systemd/system/${REFRESH_UNIT}.d && printf '[Service]\\n# test only: trust the loopback fake of Anthropic (the runtime passes this to the Claude CLI)\\nEnvironment=NODE_EXTRA_CA_CERTS=${GUEST_CA}\\n' > /etc/systemd/system/${REFRESH_UNIT}.d/soak-ca.conf`);
    // The fake answers on the host, and the real CLI starts there (no token involved yet).
    await h.sh(`NODE_EXTRA_CA_CERTS=${GUEST_CA} node -e 'require("https").get("https://platform.claude.com/api/hello",(r)=>{process.exit(r.statusCode===200?0:1)}).on("error",(e)=>{console.error(e.message);process.exit(1)})'`, { timeoutMs: 20_000 });
    const version = (await h.sh(`${GUEST_CLAUDE_DIR}/${basename(cli)} --version`, { timeoutMs: 60_000 })).trim();
    o.log(`the fake answers at https://platform.claude.com inside ${netns}; ${GUEST_CLAUDE_DIR}/${basename(cli)} --version: ${version}`);

    await ws.initHostStack("soak", h, {
      account: USER,
      targets: ["auth-store", "oauth-json", { kind: "env", consumer: "openclaw-global" }],
      refreshInterval: "*:*:0/20",
      refreshRandomizedDelay: "1s",
      // Longer than a whole token lifetime's wait (≤ 280 s): the first run after a renewal waits for
      // its renewal point, as a default run (15-min timer, 20-min wait) does with 8-hour tokens. A
      // shorter wait lets a later run start inside the CLI's 5-minute window, and such a run
      // renews at once (≈ 290 s before expiry) instead of at its point.
      refreshMaxWaitMinutes: 5,
      claudeCli: [`${GUEST_CLAUDE_DIR}/${basename(cli)}`],
      notify: {
        hostname: "gw-soak",
        channels: [{ type: "command", name: "soak-pages", argv: ["/bin/sh", "-c", `printf '%s %s %s\\n' "$(date +%s%3N)" "$NOTIFY_CONDITION" "$NOTIFY_EVENT" >> ${PAGE_LOG}`] }],
      },
    });
    const up = await ws.ok(["up", "--yes", "--skip-preview", "--stack", "soak"], { timeoutMs: 600_000 });
    o.log(`pulumi up: ${up.ms} ms`);

    // The token the targets hold now (the initial one, or one the timer got for it during a slow
    // `up`), so that each token a target may hold has a known expiry.
    const before = await h.ssh(POLL_SCRIPT, { timeoutMs: 15_000 });
    const beforeCreds = before.code === 0 ? (JSON.parse(before.stdout) as { creds: { claudeAiOauth?: { accessToken?: string; refreshToken?: string; expiresAt?: number } } | null }).creds?.claudeAiOauth : undefined;
    const preLogin = new Map<string, number>([[initial.accessToken, initial.expiresAt]]);
    if (beforeCreds?.accessToken && typeof beforeCreds.expiresAt === "number") {
      preLogin.set(beforeCreds.accessToken, beforeCreds.expiresAt);
      tokens.push(beforeCreds.accessToken, beforeCreds.refreshToken ?? beforeCreds.accessToken);
    }

    // Log in: fake tokens the fake knows, expiring like the ones it issues.
    await control(sock, "POST", "/reset-stats");
    const login = loginCreds(o.expiresIn);
    const loginExpiresAt = login.expiresAt;
    tokens.push(login.accessToken, login.refreshToken);
    await control(sock, "POST", "/seed", { accessToken: login.accessToken, refreshToken: login.refreshToken, expiresAt: login.expiresAt });
    const t0 = Date.now();
    await writeCredsAs(h, USER, CREDS, login);
    o.log(`logged in: token 0 expires in ${o.expiresIn} s; waiting for ${o.lifetimes} lifetimes`);

    // Poll until token `lifetimes` has been issued (every lifetime before it is complete).
    const expiryOf = new Map<string, number>([...preLogin, [login.accessToken, loginExpiresAt]]);
    const order: string[] = [login.accessToken];
    const polls: Poll[] = [];
    const deadline = t0 + o.lifetimes * o.expiresIn * 1000 + 90_000;
    let doneAt: number | undefined;
    while (Date.now() < deadline && (doneAt === undefined || Date.now() < doneAt + 3 * o.pollMs)) {
      const started = Date.now();
      const r = await h.ssh(POLL_SCRIPT, { timeoutMs: 15_000 });
      if (r.code === 0) {
        try {
          const j = JSON.parse(r.stdout) as { now: number; creds: { claudeAiOauth?: { accessToken?: string; refreshToken?: string; expiresAt?: number } } | null; targets: Record<string, string[]> };
          const c = j.creds?.claudeAiOauth;
          if (c?.accessToken && typeof c.expiresAt === "number") {
            if (!expiryOf.has(c.accessToken)) {
              expiryOf.set(c.accessToken, c.expiresAt);
              order.push(c.accessToken);
              o.log(`token ${order.length - 1} issued (expires in ${Math.round((c.expiresAt - j.now) / 1000)} s)`);
            }
            if (!tokens.includes(c.accessToken)) tokens.push(c.accessToken);
            if (c.refreshToken && !tokens.includes(c.refreshToken)) tokens.push(c.refreshToken);
          }
          polls.push({ now: j.now, credsToken: c?.accessToken, credsExpiresAt: c?.expiresAt, targets: j.targets });
          if (process.env.OCS_SOAK_DEBUG === "1") {
            const id = (tok: string) => (preLogin.has(tok) ? "pre" : order.includes(tok) ? String(order.indexOf(tok)) : "?");
            o.log(`poll ${j.now}: creds ${c?.accessToken ? id(c.accessToken) : "-"}; ${Object.entries(j.targets).map(([f, ts]) => `${basename(f)}=[${ts.map(id).join(",")}]`).join(" ")}`);
          }
        } catch {
          o.log(`poll: unreadable answer (${r.stdout.length} bytes)`); // never the text: it holds tokens
        }
      } else {
        o.log(`poll: ssh exit ${r.code}${r.timedOut ? " (timed out)" : ""}: ${r.stderr.trim().slice(0, 200)}`);
      }
      if (doneAt === undefined && order.length > o.lifetimes) doneAt = Date.now();
      await sleep(Math.max(0, o.pollMs - (Date.now() - started)));
    }
    const soakMs = Date.now() - t0;

    // Evidence from the host and the fake.
    const stats = await control(sock, "GET", "/stats");
    const journal = await h.sh(`journalctl --no-pager -o short-unix -u ${REFRESH_UNIT}`, { timeoutMs: 60_000 });
    const pageLines = (await h.sh(`cat ${PAGE_LOG} 2>/dev/null || true`)).split("\n").filter(Boolean);
    const fullJournal = await h.sh("journalctl --no-pager -o cat", { timeoutMs: 60_000 });
    const fakeLines = fakeLog()
      .split("\n")
      .map((l) => /^(\d+) anthropic-fake: (\S+) (\S+) (\S+) -> (\d+)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ at: Number(m[1]), method: m[2]!, host: m[3]!, path: m[4]!, status: Number(m[5]) }))
      .filter((e) => e.at >= t0);

    // Lifetimes: token k from its issue (expiresAt − expiresIn) to the next one's issue.
    const issued = order.map((t) => ({ token: t, expiresAt: expiryOf.get(t)!, issuedAt: expiryOf.get(t)! - o.expiresIn * 1000 }));
    const cliRunAt = journal.split("\n").filter((l) => l.includes("running the Claude CLI")).map(parseJournalMs).filter((x): x is number => x !== undefined);
    const serviceRunAt = journal.split("\n").filter((l) => /systemd\[1\]: Starting /.test(l)).map(parseJournalMs).filter((x): x is number => x !== undefined);
    const pageAt = pageLines.map((l) => Number(l.split(" ")[0]));
    const tokenEvents = fakeLines.filter((e) => e.method === "POST" && e.path === "/v1/oauth/token");
    const modelEvents = fakeLines.filter((e) => e.method === "POST" && e.path === "/v1/messages");
    let unknownTargetTokens = 0;
    const lifetimes: LifetimeFigures[] = [];
    for (let k = 0; k + 1 < issued.length && k < o.lifetimes; k++) {
      const cur = issued[k]!;
      const next = issued[k + 1]!;
      const inK = (t: number) => t > cur.issuedAt && t <= next.issuedAt; // polls
      const evK = (t: number) => t > cur.issuedAt + SLACK_MS && t <= next.issuedAt + SLACK_MS; // events
      const expiredByTarget: Record<string, number> = Object.fromEntries(SOAK_TARGETS.map((t) => [t, 0]));
      let without = 0;
      let mixed = 0;
      let current: number | null = null;
      for (let i = 1; i < polls.length; i++) {
        const p = polls[i]!;
        if (!inK(p.now)) continue;
        const gap = (p.now - polls[i - 1]!.now) / 1000;
        let allCurrent = true;
        for (const t of SOAK_TARGETS) {
          const held = p.targets[t] ?? [];
          if (held.length === 0) without++;
          if (!held.includes(cur.token)) allCurrent = false;
          if (held.length > 1) mixed++;
          const expired = held.some((tok) => {
            const exp = expiryOf.get(tok);
            if (exp === undefined) unknownTargetTokens++;
            return exp === undefined || exp <= p.now;
          });
          if (expired) expiredByTarget[t] = expiredByTarget[t]! + gap;
        }
        if (allCurrent && current === null) current = p.now;
      }
      const prev = k > 0 ? issued[k - 1]! : undefined;
      lifetimes.push({
        index: k,
        issuedAt: cur.issuedAt,
        expiresAt: cur.expiresAt,
        lengthS: round1((next.issuedAt - cur.issuedAt) / 1000),
        renewedBeforeExpiryS: round1((cur.expiresAt - next.issuedAt) / 1000),
        cliRuns: cliRunAt.filter(evK).length,
        serviceRuns: serviceRunAt.filter(evK).length,
        tokenRequests: tokenEvents.filter((e) => evK(e.at)).length,
        tokenOk: tokenEvents.filter((e) => evK(e.at) && e.status === 200).length,
        tokenFailed: tokenEvents.filter((e) => evK(e.at) && e.status !== 200).length,
        modelCalls: modelEvents.filter((e) => evK(e.at)).length,
        expiredTargetSeconds: round1(Math.max(...Object.values(expiredByTarget))),
        expiredByTarget: Object.fromEntries(Object.entries(expiredByTarget).map(([t, s]) => [t, round1(s)])),
        targetWithoutToken: without,
        targetWithSeveralTokens: mixed,
        targetsCurrentAfterS: current === null ? null : round1((current - cur.issuedAt) / 1000),
        previousTokenLeftS: current === null || !prev ? null : round1((prev.expiresAt - current) / 1000),
        pages: pageAt.filter(evK).length,
      });
    }
    const okTimes = tokenEvents.filter((e) => e.status === 200).map((e) => e.at);
    const tokenResponseToIssueMs = issued.slice(1).map((x, i) => (okTimes[i] === undefined ? Number.NaN : x.issuedAt - okTimes[i]!));

    const leaks: string[] = [];
    const tokenShape = /sk-ant-o[ar]t01-[A-Za-z0-9_-]{8,}/;
    if (findLeakedToken(fullJournal, tokens) !== undefined || tokenShape.test(fullJournal)) leaks.push("host journal");
    if (findLeakedToken(ws.transcript(), tokens) !== undefined) leaks.push("pulumi output");
    if (findLeakedToken(ws.backendText(), tokens) !== undefined) leaks.push("Pulumi state");
    if (findLeakedToken(fakeLog(), tokens) !== undefined || tokenShape.test(fakeLog())) leaks.push("fake log");

    // The runtime's own lines (SyslogIdentifier openclaw-oauth-sync-refresh) that are warnings,
    // errors or a failed attempt; a steady state has none.
    const refreshProblems = journal
      .split("\n")
      .filter((l) => / openclaw-oauth-sync-refresh\[\d+\]: /.test(l))
      .map((l) => l.replace(/^\S+ \S+ \S+ /, ""))
      .filter((l) => /^(warn|error): |^(transient|unknown|login-required): /.test(l));
    const gaps = polls.slice(1).map((p, i) => p.now - polls[i]!.now);
    return {
      claudeVersion: version,
      expiresIn: o.expiresIn,
      pollMs: o.pollMs,
      lifetimesWanted: o.lifetimes,
      lifetimes,
      polls: polls.length,
      maxPollGapMs: gaps.length ? Math.max(...gaps) : 0,
      unknownTargetTokens,
      fake: {
        tokenRequests: Number(stats.tokenRequests),
        tokenOk: Number(stats.tokenOk),
        tokenFailed: Number(stats.tokenFailed),
        modelCalls: Number(stats.modelCalls),
        profileCalls: Number(stats.profileCalls),
        hosts: stats.hosts as Record<string, number>,
      },
      tokenResponseToIssueMs,
      pages: pageLines.map((l) => l.split(" ").slice(1).join(" ")),
      refreshProblems,
      leaks,
      setup: { bootMs: h.bootMs, upMs: up.ms, load1AtStart },
      soakMs,
      load1AtEnd: Number(loadavg()[0]!.toFixed(2)),
    };
  } finally {
    if (fake) await stopFake(fake.child);
    await ws.cleanup();
    await TestHost.down(name);
    rmSync(scratch, { recursive: true, force: true });
  }
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
