/**
 * node_exporter textfile collector output (https://github.com/prometheus/node_exporter#textfile-collector):
 * HELP/TYPE lines, one sample per line, written atomically so the collector never reads half a file.
 * The formatting is pure; only `writePrometheusFile` touches the disk.
 */
import { writeFileAtomic } from "../fsx/atomic";
import type { StatusReport } from "./collect";

const P = "openclaw_oauth_sync";

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function sec(ms: number): string {
  return String(Math.floor(ms / 1000));
}

interface Metric {
  name: string;
  help: string;
  type: "gauge" | "counter";
  samples: { labels?: Record<string, string>; value: string }[];
}

/** Failure reasons always present (as 0) so that rate() and alert rules have a series from the start. */
export const FAILURE_OUTCOMES = ["transient", "login-required", "unknown"] as const;

export function prometheusMetrics(r: StatusReport): Metric[] {
  const m: Metric[] = [];
  const gauge = (name: string, help: string, value: string | undefined) => {
    if (value !== undefined) m.push({ name: `${P}_${name}`, help, type: "gauge", samples: [{ value }] });
  };
  gauge("credentials_readable", "1 if Claude's credentials file could be read and parsed.", r.credentials.readable ? "1" : "0");
  gauge(
    "access_token_expiry_timestamp_seconds",
    "Expiry of Claude's OAuth access token (Unix time).",
    r.credentials.expiresAt !== undefined ? sec(r.credentials.expiresAt) : undefined,
  );
  gauge(
    "refresh_token_expiry_timestamp_seconds",
    "Expiry of Claude's login (refreshTokenExpiresAt), when Claude Code records it (Unix time).",
    r.credentials.refreshTokenExpiresAt !== undefined ? sec(r.credentials.refreshTokenExpiresAt) : undefined,
  );
  gauge(
    "login_deadline_timestamp_seconds",
    "When a human must log in to Claude again at the latest: refreshTokenExpiresAt, or a long-lived token's expiry (Unix time). Absent when unknown.",
    r.credentials.loginDeadline !== undefined ? sec(r.credentials.loginDeadline) : undefined,
  );
  gauge("logged_out", "1 if Claude Code cleared the login (blanked credentials file) after its refresh token was refused.", r.credentials.loggedOut ? "1" : "0");
  gauge(
    "next_renewal_timestamp_seconds",
    "The latest moment the next renewal is aimed at (Unix time); absent for a long-lived token.",
    r.refresh.nextRenewal ? sec(r.refresh.nextRenewal.latest) : undefined,
  );
  gauge(
    "last_refresh_success_timestamp_seconds",
    "Last time `refresh` saw the Claude CLI renew the login (Unix time).",
    r.refresh.lastSuccessAt !== undefined ? sec(r.refresh.lastSuccessAt) : undefined,
  );
  gauge(
    "last_refresh_attempt_timestamp_seconds",
    "Last time `refresh` ran the Claude CLI (Unix time).",
    r.refresh.lastAttempt ? sec(r.refresh.lastAttempt.finishedAt) : undefined,
  );
  m.push({
    name: `${P}_refresh_failures_total`,
    help: "Claude CLI runs by `refresh` that did not renew, by outcome.",
    type: "counter",
    samples: FAILURE_OUTCOMES.map((o) => ({ labels: { reason: o }, value: String(r.refresh.counters.refreshFailures[o] ?? 0) })),
  });
  m.push({
    name: `${P}_sync_failures_total`,
    help: "Syncs after a renewal that failed or left a target failed.",
    type: "counter",
    samples: [{ value: String(r.refresh.counters.syncFailures) }],
  });
  gauge("login_required", "1 if a human must log in to Claude again.", r.loginRequired.active ? "1" : "0");
  gauge("backoff_active", "1 if `refresh` is backing off after failures.", r.refresh.backoff?.active ? "1" : "0");
  if (r.targets.length) {
    m.push({
      name: `${P}_target_in_sync`,
      help: "1 if the target holds the current token (or a newer one), per target.",
      type: "gauge",
      samples: r.targets.map((t) => ({ labels: { target: t.target, state: t.state }, value: t.state === "in-sync" || t.state === "newer" ? "1" : "0" })),
    });
  }
  return m;
}

/** Pure: the textfile content. */
export function formatPrometheus(r: StatusReport): string {
  const lines: string[] = [];
  for (const metric of prometheusMetrics(r)) {
    lines.push(`# HELP ${metric.name} ${metric.help}`, `# TYPE ${metric.name} ${metric.type}`);
    for (const s of metric.samples) {
      const labels = s.labels
        ? `{${Object.entries(s.labels)
            .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
            .join(",")}}`
        : "";
      lines.push(`${metric.name}${labels} ${s.value}`);
    }
  }
  return lines.join("\n") + "\n";
}

export async function writePrometheusFile(path: string, r: StatusReport): Promise<void> {
  // Readable by node_exporter (which rarely runs as root); holds no secret.
  await writeFileAtomic(path, formatPrometheus(r), { mode: 0o644 });
}
