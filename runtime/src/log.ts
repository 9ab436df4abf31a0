/**
 * One line per decision, journald-friendly: no timestamps (journald adds them), `key=value`
 * fields, every value scrubbed of tokens.
 */
import { scrubText } from "./redact";

export type LogLevel = "info" | "warn" | "error";
export type LogFields = Record<string, string | number | boolean | undefined | null>;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

function quote(v: string): string {
  return /^[^\s"=]*$/.test(v) && v !== "" ? v : JSON.stringify(v);
}

export function formatLine(level: LogLevel, msg: string, fields: LogFields = {}): string {
  const parts = [level === "info" ? msg : `${level}: ${msg}`];
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || v === null) continue;
    parts.push(`${k}=${quote(String(v))}`);
  }
  return scrubText(parts.join(" "));
}

/** Logger writing info to stdout and warnings/errors to stderr. */
export function consoleLogger(
  out: (line: string) => void = (l) => process.stdout.write(l + "\n"),
  err: (line: string) => void = (l) => process.stderr.write(l + "\n"),
): Logger {
  return {
    info: (m, f) => out(formatLine("info", m, f)),
    warn: (m, f) => err(formatLine("warn", m, f)),
    error: (m, f) => err(formatLine("error", m, f)),
  };
}

/** Logger that records lines; for tests. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m, f) => lines.push(formatLine("info", m, f)),
    warn: (m, f) => lines.push(formatLine("warn", m, f)),
    error: (m, f) => lines.push(formatLine("error", m, f)),
  };
}
