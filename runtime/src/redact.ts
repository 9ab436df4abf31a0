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

/** Replaces every token-shaped substring (and the given known secrets) in free text. */
export function scrubText(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(TOKEN_PATTERN, (m) => redactToken(m));
  for (const s of secrets) {
    if (s.length >= 8) out = out.split(s).join(redactToken(s));
  }
  return out;
}
