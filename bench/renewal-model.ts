/**
 * A MODEL, not a measurement: a discrete-event simulation of renewal policies over many token
 * lifetimes, with the real Claude Code CLI's observed rules (../shared/facts/claude-code.md,
 * docs/claude-code-observed.md):
 *
 * - the CLI renews only when it runs and `now + 300 s >= expiresAt`; an expired token is renewed
 *   too; a renewal issues a token valid for `lifetimeS` from that moment;
 * - `claude -p …` makes one model call per run (renewing or not); `claude auth status` none;
 * - a systemd timer with OnCalendar every `periodS` (grid at multiples of the period) and
 *   RandomizedDelaySec `delayS` elapses at grid + U[0, delayS) (a fresh delay per elapse); an
 *   elapse while the service still runs starts nothing. AccuracySec coalescing is not modelled.
 *
 * Policies:
 * - "window" (the previous version): each timer run with the token expiring within `windowS`
 *   (or expired) runs the CLI once.
 * - "expiry" (this version): each timer run picks a renewal point expiresAt − U[latestS,
 *   earliestS]; if the token is already inside the CLI's window it runs the CLI at once; if the
 *   point is at most `maxWaitS` away it waits for it (the service stays active) and runs the CLI
 *   then; otherwise it exits.
 *
 * Steady state only: Anthropic always answers, so a CLI run that is due always renews and no
 * policy pages anybody (pages are counted as 0 by construction, not simulated). Per lifetime
 * (from a token's issue to its successor's issue): CLI runs, model calls, timer runs, and the
 * seconds a target held an expired token = max(0, successor issued + syncLagS − expiresAt).
 * Seeded (mulberry32), so a run is reproducible.
 */

export interface ModelPolicy {
  name: string;
  kind: "window" | "expiry";
  periodS: number;
  delayS: number;
  /** Model calls per CLI run: 1 for `claude -p …`, 0 for `claude auth status`. */
  modelCallsPerRun: 0 | 1;
  /** "window": run the CLI when the token expires within this many seconds. */
  windowS?: number;
  /** "expiry": the renewal point's range before expiry, and how long a run may wait for it. */
  earliestS?: number;
  latestS?: number;
  maxWaitS?: number;
}

export interface ModelInput {
  policy: ModelPolicy;
  /** expires_in of every issued token (s). */
  lifetimeS: number;
  lifetimes: number;
  /** From a renewal until every target holds the new token (s). */
  syncLagS: number;
  seed: number;
}

export interface ModelLifetime {
  lengthS: number;
  cliRuns: number;
  modelCalls: number;
  timerRuns: number;
  expiredS: number;
  renewedBeforeExpiryS: number;
}

export interface ModelSummary {
  policy: string;
  lifetimeS: number;
  lifetimes: number;
  seed: number;
  cliRunsMean: number;
  cliRunsMax: number;
  modelCallsMean: number;
  timerRunsMean: number;
  expiredSMean: number;
  expiredSP50: number;
  expiredSP95: number;
  expiredSMax: number;
  /** Share of lifetimes in which a target held an expired token at all. */
  expiredShare: number;
  renewedBeforeExpirySMean: number;
  lengthSMean: number;
  pagesPerLifetime: 0;
}

/** CLI_RENEW_THRESHOLD: Claude Code renews when now + 300 s >= expiresAt. */
const CLI_WINDOW_S = 300;

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function simulate(input: ModelInput): ModelLifetime[] {
  const { policy: p, lifetimeS, syncLagS } = input;
  const rnd = mulberry32(input.seed);
  // The login lands at a random phase of the timer grid. Every later token is issued by a CLI run,
  // i.e. at a timer run (or a run's renewal point).
  let issuedAt = rnd() * p.periodS;
  let expiresAt = issuedAt + lifetimeS;
  let cur: ModelLifetime = { lengthS: 0, cliRuns: 0, modelCalls: 0, timerRuns: 0, expiredS: 0, renewedBeforeExpiryS: 0 };
  const out: ModelLifetime[] = [];
  let busyUntil = -Infinity;
  const renew = (at: number) => {
    cur.lengthS = at - issuedAt;
    cur.expiredS = Math.max(0, at + syncLagS - expiresAt);
    cur.renewedBeforeExpiryS = expiresAt - at;
    out.push(cur);
    cur = { lengthS: 0, cliRuns: 0, modelCalls: 0, timerRuns: 0, expiredS: 0, renewedBeforeExpiryS: 0 };
    issuedAt = at;
    expiresAt = at + lifetimeS;
  };
  const cliRun = (at: number) => {
    cur.cliRuns++;
    cur.modelCalls += p.modelCallsPerRun;
    if (at + CLI_WINDOW_S >= expiresAt) renew(at);
  };
  for (let n = 1; out.length < input.lifetimes; n++) {
    const elapse = n * p.periodS + rnd() * p.delayS;
    if (elapse < issuedAt && out.length === 0) continue; // before the login
    if (elapse < busyUntil) continue; // the service still runs: the elapse starts nothing
    cur.timerRuns++;
    if (p.kind === "window") {
      if (expiresAt - elapse <= p.windowS!) cliRun(elapse);
      continue;
    }
    const point = expiresAt - (p.latestS! + (p.earliestS! - p.latestS!) * rnd());
    if (elapse + CLI_WINDOW_S >= expiresAt) {
      cliRun(elapse); // inside the CLI's window already (a late timer, an expired token): at once
    } else if (point - elapse <= p.maxWaitS!) {
      const at = Math.max(point, elapse);
      busyUntil = at;
      cliRun(at);
    }
  }
  return out;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const r2 = (x: number) => Math.round(x * 100) / 100;

/**
 * The first lifetime after a /login, over `n` logins at independent random moments (seed, seed+1,
 * …): a login lands at any phase of the timer grid. Later lifetimes start at a timer run instead,
 * and with 8-hour tokens (32 × 15 min) their expiry then keeps the grid's phase (see simulate()).
 */
export function simulateAfterLogin(input: ModelInput): ModelLifetime[] {
  const out: ModelLifetime[] = [];
  for (let i = 0; i < input.lifetimes; i++) out.push(simulate({ ...input, lifetimes: 1, seed: input.seed + i })[0]!);
  return out;
}

export function summarize(input: ModelInput, ls: ModelLifetime[]): ModelSummary {
  const expired = ls.map((l) => l.expiredS).sort((a, b) => a - b);
  return {
    policy: input.policy.name,
    lifetimeS: input.lifetimeS,
    lifetimes: ls.length,
    seed: input.seed,
    cliRunsMean: r2(mean(ls.map((l) => l.cliRuns))),
    cliRunsMax: Math.max(...ls.map((l) => l.cliRuns)),
    modelCallsMean: r2(mean(ls.map((l) => l.modelCalls))),
    timerRunsMean: r2(mean(ls.map((l) => l.timerRuns))),
    expiredSMean: r2(mean(expired)),
    expiredSP50: r2(quantile(expired, 0.5)),
    expiredSP95: r2(quantile(expired, 0.95)),
    expiredSMax: r2(expired[expired.length - 1] ?? 0),
    expiredShare: r2(expired.filter((x) => x > 0).length / Math.max(1, expired.length)),
    renewedBeforeExpirySMean: r2(mean(ls.map((l) => l.renewedBeforeExpiryS))),
    lengthSMean: r2(mean(ls.map((l) => l.lengthS))),
    pagesPerLifetime: 0,
  };
}

/** The previous version's defaults: every 15 min + 2 min, window 45 min, `claude -p ok --model haiku --max-turns 1`. */
export const PREVIOUS_DEFAULTS: ModelPolicy = { name: "previous: 15-min timer, 45-min window, claude -p", kind: "window", periodS: 900, delayS: 120, windowS: 2700, modelCallsPerRun: 1 };
/** This version's defaults: every 15 min + 2 min, renewal point 270–120 s before expiry, wait ≤ 20 min, `claude auth status`. */
export const CURRENT_DEFAULTS: ModelPolicy = { name: "this version: expiry-aimed, claude auth status", kind: "expiry", periodS: 900, delayS: 120, earliestS: 270, latestS: 120, maxWaitS: 1200, modelCallsPerRun: 0 };
/** The soak's settings (test/e2e/soak.ts): every 20 s + 1 s, wait ≤ 5 min. */
export const SOAK_SETTINGS: ModelPolicy = { ...CURRENT_DEFAULTS, name: "this version, soak settings (20-s timer)", periodS: 20, delayS: 1, maxWaitS: 300 };
