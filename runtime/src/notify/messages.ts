/**
 * Pure message text: what happened, on which host, and what a human should do about it.
 * Every string that leaves here has been scrubbed of tokens and of the channel secrets.
 */
import { scrubText } from "../redact";
import { unitOfCondition, type AlertEvent, type ConditionId, type FixedConditionId } from "./state";

export interface MessageContext {
  host: string;
  /** Account that logs in to Claude. */
  user: string;
  /** Set when the Claude CLI runs inside the OpenClaw container. */
  docker?: { container: string; user: string } | undefined;
}

export interface Message {
  event: AlertEvent;
  /** "test" for `notify --test`. */
  condition: ConditionId | "test";
  active: boolean;
  host: string;
  title: string;
  /** Full text: what, detail, fix. */
  text: string;
  timestamp: string;
}

const LABELS: Record<FixedConditionId, string> = {
  "login-required": "Claude login required",
  "login-expiring": "Claude login ends soon",
  "expiring-unrenewed": "Claude token expiring, not renewed",
  "sync-failing": "OpenClaw credential sync failing",
};

/** Title-case label, and the form used inside a sentence (a unit name keeps its case). */
function labelsOf(id: ConditionId): { label: string; inSentence: string } {
  const unit = unitOfCondition(id);
  if (unit !== undefined) return { label: `Unit ${unit} failed`, inSentence: `unit ${unit} failed` };
  const label = LABELS[id as FixedConditionId];
  return { label, inSentence: label.toLowerCase() };
}

/** A unit name as a shell word: systemd escapes (`\x2d`) would otherwise lose their backslash. */
function shellWord(s: string): string {
  return /^[A-Za-z0-9:_.@-]+$/.test(s) ? s : `'${s}'`;
}

function fixFor(id: ConditionId, ctx: MessageContext): string {
  const cli = "openclaw-oauth-sync";
  const unit = unitOfCondition(id);
  if (unit !== undefined) {
    const u = shellWord(unit);
    return `On ${ctx.host} read \`journalctl -u ${u} -n 50\`, run \`${cli} status\` and \`${cli} doctor\`; after fixing the cause, \`systemctl restart ${u}\`.`;
  }
  switch (id as FixedConditionId) {
    case "login-required": {
      // In Docker mode Claude Code may live on the host or in the container; name both.
      const inContainer = ctx.docker
        ? ` (if Claude Code runs in the OpenClaw container: \`docker exec -it -u ${ctx.docker.user} ${ctx.docker.container} claude\`)`
        : "";
      return `Run \`claude\` as ${ctx.user} on ${ctx.host}${inContainer} and log in again (/login); then \`${cli} refresh --force\`.`;
    }
    case "login-expiring":
      return `Before the date above, run \`claude\` as ${ctx.user} on ${ctx.host} and log in again (/login), or replace the long-lived token; renewals cannot extend a login past its end.`;
    case "expiring-unrenewed":
      return `Run \`${cli} status\` and \`${cli} refresh --force\` on ${ctx.host}; if it asks for a login, run \`claude\` as ${ctx.user} and /login.`;
    case "sync-failing":
      return `Run \`${cli} doctor\` and \`${cli} sync\` on ${ctx.host} and read the service journal (journalctl -u 'openclaw-oauth-sync*').`;
  }
}

/** Builds the message for a condition event. `secrets` are scrubbed from every field too. */
export function buildMessage(
  ctx: MessageContext,
  m: { event: AlertEvent; condition: ConditionId | "test"; detail: string; since?: number | undefined; now: number },
  secrets: readonly string[] = [],
): Message {
  const scrub = (s: string) => scrubSecrets(s, secrets);
  const ts = new Date(m.now).toISOString();
  if (m.condition === "test") {
    return {
      event: "test",
      condition: "test",
      active: false,
      host: ctx.host,
      title: `openclaw-oauth-sync test on ${ctx.host}`,
      text: scrub(`Test notification from openclaw-oauth-sync on ${ctx.host} at ${ts}. If you read this, this channel works.`),
      timestamp: ts,
    };
  }
  const { label, inSentence } = labelsOf(m.condition);
  const detail = m.detail.trim() ? `\n${m.detail.trim()}` : "";
  let title: string;
  let text: string;
  if (m.event === "recovery") {
    title = `Resolved on ${ctx.host}: ${label}`;
    text = `Resolved on ${ctx.host}: ${inSentence} (condition ${m.condition}) has cleared.${detail}`;
  } else {
    const again = m.event === "re-alert" && m.since !== undefined ? ` (still, since ${new Date(m.since).toISOString()})` : "";
    title = `${label} on ${ctx.host}`;
    text = `${label} on ${ctx.host}${again}.${detail}\nFix: ${fixFor(m.condition, ctx)}`;
  }
  return { event: m.event, condition: m.condition, active: m.event !== "recovery", host: ctx.host, title: scrub(title), text: scrub(text), timestamp: ts };
}

/** scrubText plus the channel secrets (URLs, bot tokens), which have no recognisable shape. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  // Longest first, so a secret that contains another is replaced whole.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (s.length >= 4) out = out.split(s).join("[secret]");
  }
  return scrubText(out);
}

/** Derives the login account from the credentials path (/home/<user>/… or /root/…). */
export function userFromCredentialsPath(path: string): string | undefined {
  const m = /^\/home\/([^/]+)\//.exec(path);
  if (m) return m[1];
  if (path.startsWith("/root/")) return "root";
  return undefined;
}
