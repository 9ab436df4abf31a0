/**
 * Delivery to one channel. Request construction is pure (`buildHttpRequest`); `deliver` does the
 * I/O with a bounded timeout and never throws: a failure is a result, logged by the caller with the
 * URL cut down to its origin (webhook URLs and bot tokens are secrets).
 */
import type { RunOptions, RunResult } from "../proc";
import { describeFailure } from "../proc";
import type { ResolvedChannel } from "./secrets";
import { scrubSecrets, type Message } from "./messages";

export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal }) => Promise<{
  ok: boolean;
  status: number;
  text(): Promise<string>;
}>;
export type RunProcessLike = (argv: readonly string[], opts: RunOptions) => Promise<RunResult>;

export interface HttpRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface DeliveryResult {
  channel: string;
  type: string;
  ok: boolean;
  /** "HTTP 200", "exit status 0", or why it failed; scrubbed. */
  detail: string;
  /** Where it went, cut to the origin (or the program name); never a secret. */
  target: string;
}

export interface DeliverDeps {
  fetch: FetchLike;
  runProcess: RunProcessLike;
  timeoutMs: number;
}

const TELEGRAM_MAX = 4096;
const DISCORD_MAX = 2000;

function trimTo(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max - 1) + "…";
}

/** HTTP header values must be Latin-1 without line breaks; ntfy titles are short ASCII anyway. */
function headerSafe(s: string): string {
  return s.replace(/[\r\n]+/g, " ").replace(/[^\x20-\x7e]/g, "?").slice(0, 250);
}

function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, "") + "/" + path;
}

const NTFY_TAGS: Record<Message["event"], string> = { alert: "warning", "re-alert": "warning", recovery: "white_check_mark", test: "test_tube" };

/** Pure: the HTTP request for an HTTP channel, or undefined for the command channel. */
export function buildHttpRequest(ch: ResolvedChannel, msg: Message): HttpRequest | undefined {
  const c = ch.config;
  const secret = (name: string | undefined): string => (name === undefined ? "" : (ch.secrets[name] ?? ""));
  const json = { "Content-Type": "application/json" };
  switch (c.type) {
    case "ntfy": {
      const topic = c.topic ?? secret(c.topicSecret);
      const headers: Record<string, string> = {
        "Content-Type": "text/plain; charset=utf-8",
        Title: headerSafe(msg.title),
        Priority: msg.event === "alert" || msg.event === "re-alert" ? c.priority : "default",
        Tags: [NTFY_TAGS[msg.event], ...c.tags].join(","),
      };
      if (c.tokenSecret) headers.Authorization = `Bearer ${secret(c.tokenSecret)}`;
      return { url: joinUrl(c.server, encodeURIComponent(topic)), headers, body: msg.text };
    }
    case "webhook":
      return {
        url: secret(c.urlSecret),
        headers: json,
        body: JSON.stringify({ event: msg.event, condition: msg.condition, active: msg.active, host: msg.host, message: msg.text, timestamp: msg.timestamp }),
      };
    case "telegram":
      return {
        url: joinUrl(c.apiBase, `bot${secret(c.tokenSecret)}/sendMessage`),
        headers: json,
        body: JSON.stringify({ chat_id: c.chatId, text: trimTo(msg.text, TELEGRAM_MAX) }),
      };
    case "slack":
      return { url: secret(c.urlSecret), headers: json, body: JSON.stringify({ text: msg.text }) };
    case "discord":
      return { url: secret(c.urlSecret), headers: json, body: JSON.stringify({ content: trimTo(msg.text, DISCORD_MAX) }) };
    case "command":
      return undefined;
  }
}

/** The URL's origin, or a placeholder if it does not parse; for logs. */
export function redactUrl(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "(unparseable URL)";
  }
}

function errorText(e: unknown, timeoutMs: number, aborted: boolean): string {
  if (aborted) return `timed out after ${Math.round(timeoutMs / 1000)} s`;
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  const cause = err.cause?.code ?? err.cause?.message;
  return cause ? `${err.message ?? "error"} (${cause})` : (err.message ?? String(e));
}

/** Sends one message on one channel. Never throws. */
export async function deliver(ch: ResolvedChannel, msg: Message, deps: DeliverDeps): Promise<DeliveryResult> {
  const secrets = Object.values(ch.secrets);
  const scrub = (s: string) => scrubSecrets(s, secrets);
  const c = ch.config;
  if (c.type === "command") {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
      LANG: process.env.LANG ?? "C.UTF-8",
      NOTIFY_EVENT: msg.event,
      NOTIFY_CONDITION: msg.condition,
      NOTIFY_ACTIVE: msg.active ? "1" : "0",
      NOTIFY_HOST: msg.host,
      NOTIFY_TITLE: msg.title,
    };
    if (process.env.HOME) env.HOME = process.env.HOME;
    const timeoutMs = c.timeoutSeconds * 1000;
    const r = await deps.runProcess(c.argv, { stdin: msg.text + "\n", env, timeoutMs, maxOutputBytes: 4096 });
    const ok = r.exitCode === 0 && !r.timedOut;
    return { channel: ch.label, type: c.type, ok, detail: ok ? "exit status 0" : scrub(describeFailure(c.argv[0]!, r)), target: c.argv[0]! };
  }
  const req = buildHttpRequest(ch, msg)!;
  const target = redactUrl(req.url);
  const ac = new AbortController();
  let aborted = false;
  const timer = setTimeout(() => {
    aborted = true;
    ac.abort();
  }, deps.timeoutMs);
  try {
    const res = await deps.fetch(req.url, { method: "POST", headers: req.headers, body: req.body, signal: ac.signal });
    // Read the body inside the timeout too: a server that sends headers and stalls is still bounded.
    const body = await res.text();
    if (!res.ok) {
      return { channel: ch.label, type: c.type, ok: false, detail: scrub(`HTTP ${res.status}${body.trim() ? `: ${body.trim().slice(0, 200)}` : ""}`), target };
    }
    return { channel: ch.label, type: c.type, ok: true, detail: `HTTP ${res.status}`, target };
  } catch (e) {
    return { channel: ch.label, type: c.type, ok: false, detail: scrub(errorText(e, deps.timeoutMs, aborted)), target };
  } finally {
    clearTimeout(timer);
  }
}
