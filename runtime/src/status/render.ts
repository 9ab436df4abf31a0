/** Pure: the human `status` output, one aligned line per fact. Never a token (the report holds none). */
import { formatDuration, formatTime } from "../refresh/duration";
import { scrubText } from "../redact";
import type { StatusReport } from "./collect";

const W = 15;

function when(at: number, now: number): string {
  const d = at - now;
  return `${formatTime(at)} (${d >= 0 ? `in ${formatDuration(d)}` : `${formatDuration(-d)} ago`})`;
}

export function renderStatus(r: StatusReport): string {
  const now = r.generatedAt;
  const out: string[] = [];
  const line = (label: string, text: string) => out.push(`${label.padEnd(W)} ${text}`);
  const c = r.credentials;
  line("credentials", c.path);
  if (c.loggedOut) {
    line("access token", "LOGGED OUT: Claude Code cleared the login after Anthropic refused its refresh token; log in again (claude, then /login)");
  } else if (!c.readable) {
    line("access token", `UNREADABLE: ${c.problem ?? "unknown problem"}`);
  } else {
    const left = c.timeLeftMs ?? 0;
    line("access token", left > 0 ? `valid for ${formatDuration(left)}, expires ${formatTime(c.expiresAt!)}` : `EXPIRED ${formatDuration(-left)} ago, at ${formatTime(c.expiresAt!)}`);
    line(
      "login ends",
      c.loginDeadline !== undefined
        ? `${when(c.loginDeadline, now)}${c.kind === "long-lived" ? " (long-lived token)" : ""}`
        : "unknown (the credentials file records no refreshTokenExpiresAt)",
    );
    const nr = r.refresh.nextRenewal;
    line("next renewal", c.kind === "long-lived" ? "none: a long-lived token (claude setup-token) cannot be renewed" : nr ? `between ${formatTime(nr.earliest)} and ${formatTime(nr.latest)} (claude ${r.refresh.method === "auth-status" ? "auth status" : "-p"})` : "unknown");
    line("subscription", `${c.subscriptionType ?? "unknown"}${c.rateLimitTier ? ` (${c.rateLimitTier})` : ""}${c.hasInferenceScope === false ? '; scopes lack "user:inference": Claude Code will say "Not logged in"' : ""}`);
  }
  line("login required", r.loginRequired.active ? `YES: ${r.loginRequired.reason ?? ""}` : "no");
  const a = r.refresh.lastAttempt;
  line(
    "last refresh",
    a ? `${a.outcome} (${a.reason}) ${when(a.finishedAt, now)}, ${a.on}${a.forced ? ", forced" : ""}, took ${formatDuration(a.durationMs)}: ${a.detail}` : "never (no Claude CLI run recorded)",
  );
  line("last renewal", r.refresh.lastSuccessAt !== undefined ? when(r.refresh.lastSuccessAt, now) : "never seen by refresh");
  const b = r.refresh.backoff;
  line("backoff", b && b.active ? `until ${when(b.until, now)} after ${b.failures} failure(s) (${b.reason})` : "none");
  if (r.refresh.stateProblem) line("refresh state", `ignored: ${r.refresh.stateProblem}`);
  const al = r.lastAlert;
  line("last alert", al ? `${al.event ? `${al.event} ` : ""}${al.condition}${al.at !== undefined ? ` ${when(al.at, now)}` : ""}${al.active ? " (still active)" : " (cleared)"}${al.detail ? `: ${al.detail}` : ""}` : r.alertError ? `unknown: ${r.alertError}` : "none");
  line("route", `${r.route.route}: ${r.route.detail}`);
  if (r.targetsError) line("targets", `cannot inspect: ${r.targetsError}`);
  else if (r.targets.length === 0) line("targets", "none configured");
  const tw = Math.max(0, ...r.targets.map((t) => t.target.length));
  const sw = Math.max(0, ...r.targets.map((t) => t.state.length));
  for (const t of r.targets) {
    line("target", `${t.target.padEnd(tw)}  ${t.state.padEnd(sw)}  ${(t.era ?? "-").padEnd(10)}  ${t.detail}`);
  }
  line("check", `${r.check.level} (exit ${r.check.code} with --check): ${r.check.reason}`);
  return scrubText(out.join("\n")) + "\n";
}
