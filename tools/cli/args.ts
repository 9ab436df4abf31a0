/**
 * A small argv parser shared by `setup` and `fleet` (pure). Flags are declared once with their
 * kind; anything else is refused with a message naming the flag and the fix, so a typo never
 * silently changes what a command does.
 *
 * Accepted forms: `--flag value`, `--flag=value`, boolean `--flag`, repeatable flags (collected
 * in order), and `--` to end the flags.
 */

export type FlagKind = "string" | "boolean" | "repeat";

export interface FlagSpec {
  kind: FlagKind;
  /** One-line description for --help. */
  help: string;
  /** Value placeholder shown in --help, e.g. "FILE". */
  value?: string;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

export interface ParsedArgs {
  positionals: string[];
  strings: Record<string, string>;
  booleans: Record<string, boolean>;
  repeats: Record<string, string[]>;
}

export class UsageError extends Error {
  override name = "UsageError";
}

/** Parses `argv` (without node and script) against `specs`; throws UsageError on misuse. */
export function parseArgs(argv: readonly string[], specs: FlagSpecs, command: string): ParsedArgs {
  const out: ParsedArgs = { positionals: [], strings: {}, booleans: {}, repeats: {} };
  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (onlyPositionals || !a.startsWith("--") || a === "-") {
      if (!onlyPositionals && a.startsWith("-") && a !== "-") {
        throw new UsageError(`${command}: unknown option "${a}" (options are spelled --name); see ${command} --help`);
      }
      out.positionals.push(a);
      continue;
    }
    if (a === "--") {
      onlyPositionals = true;
      continue;
    }
    const eq = a.indexOf("=");
    const name = eq === -1 ? a.slice(2) : a.slice(2, eq);
    const spec = specs[name];
    if (!spec) throw new UsageError(`${command}: unknown option "--${name}"; see ${command} --help`);
    if (spec.kind === "boolean") {
      if (eq !== -1) {
        const v = a.slice(eq + 1);
        if (v !== "true" && v !== "false") throw new UsageError(`${command}: --${name} takes no value (got "${v}")`);
        out.booleans[name] = v === "true";
      } else out.booleans[name] = true;
      continue;
    }
    let value: string;
    if (eq !== -1) value = a.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith("--") && next.length > 2)) {
        throw new UsageError(`${command}: --${name} needs a value${spec.value ? ` (${spec.value})` : ""}`);
      }
      value = next;
      i++;
    }
    if (spec.kind === "repeat") (out.repeats[name] ??= []).push(value);
    else {
      if (out.strings[name] !== undefined) throw new UsageError(`${command}: --${name} given twice`);
      out.strings[name] = value;
    }
  }
  return out;
}

/** The flag table for --help, aligned. */
export function renderFlagHelp(specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([name, s]) => [`--${name}${s.kind === "boolean" ? "" : ` ${s.value ?? "VALUE"}`}${s.kind === "repeat" ? " (repeatable)" : ""}`, s.help] as const);
  const w = Math.max(...rows.map(([l]) => l.length));
  return rows.map(([l, h]) => `  ${l.padEnd(w)}  ${h}`).join("\n");
}

/** Parses a positive integer flag value, naming the flag on failure. */
export function positiveInt(command: string, flag: string, v: string, max = 1000): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) {
    throw new UsageError(`${command}: --${flag} must be a whole number from 1 to ${max} (got "${v}")`);
  }
  return Number(v);
}
