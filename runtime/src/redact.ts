/**
 * Token redaction. Every string that leaves the runtime (logs, errors, notifications, status)
 * passes through here, so that a token can never be printed by accident.
 */

const TOKEN_PATTERN = /sk-ant-[a-z]{2,6}\d{2}-[A-Za-z0-9_\-]+/g;

/** `sk-ant-oat01-…abcd`: prefix and last four characters, enough to tell two tokens apart. */
export function redactToken(token: string): string {
  const prefix = /^sk-ant-[a-z]{2,6}\d{2}-/.exec(token)?.[0] ?? "";
  const tail = token.length >= 8 ? token.slice(-4) : "";
  return `${prefix}…${tail}`;
}

// ESC/CSI sequences a CLI writes for a terminal (colours, cursor moves, OSC titles/links), in
// their 7-bit and 8-bit forms, plus BEL and any ESC left over.
const TERMINAL_ESCAPES =
  /\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u009d[^\u0007\u001b\u009c]*(?:\u0007|\u009c)?|(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]|\u001b[ -/]*[0-~]|[\u001b\u0007\u009b]/g;

/** Text without terminal escape codes: what a CLI meant for a terminal, fit for a log line or a report. */
export function stripTerminalEscapes(text: string): string {
  return text.replace(TERMINAL_ESCAPES, "");
}

/** Replaces every token-shaped substring (and the given known secrets) in free text; drops terminal escapes. */
export function scrubText(text: string, secrets: readonly string[] = []): string {
  let out = stripTerminalEscapes(text).replace(TOKEN_PATTERN, (m) => redactToken(m));
  for (const s of secrets) {
    if (s.length >= 8) out = out.split(s).join(redactToken(s));
  }
  return out;
}
