/**
 * Escaping of values written into systemd unit files (systemd.syntax(7), systemd.service(5)).
 * Planners escape; templates write the result raw (`<%-`).
 *
 * - Every setting expands specifiers, so a literal `%` is `%%`.
 * - `Exec*=` lines also expand `$VAR`, so a literal `$` is `$$`; words are split on whitespace,
 *   double quotes group, and backslash escapes are C-unescaped; a lone `;` separates commands.
 * - Path lists (`ReadWritePaths=`) split on whitespace and unquote, without `$` expansion.
 */

/** Characters no unit-file value may hold: a newline would start a new setting. */
function refuseControl(s: string, what: string): void {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(s)) throw new Error(`${what}: ${JSON.stringify(s)} contains a control character (newline, tab, NUL); systemd unit values cannot hold it`);
}

/** For free-text settings (`Description=`): specifiers only. */
export function escapeSpecifiers(s: string, what = "value"): string {
  refuseControl(s, what);
  return s.split("%").join("%%");
}

function quoteWord(s: string): string {
  // Quote when splitting or quoting would otherwise change the word.
  if (s !== "" && !/[\s"'\\]/.test(s)) return s;
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** One word of an `Exec*=` command line. */
export function escapeExecWord(s: string, what = "argument"): string {
  refuseControl(s, what);
  if (s === ";") throw new Error(`${what}: a lone ";" separates commands in Exec lines; it cannot be an argument`);
  return quoteWord(s.split("%").join("%%").split("$").join("$$"));
}

/** A whole `Exec*=` command line from an argv; the program must be an absolute path. */
export function execLine(argv: readonly string[], what = "command"): string {
  const [program] = argv;
  if (program === undefined || !program.startsWith("/")) {
    throw new Error(`${what}: the program must be an absolute path, got ${JSON.stringify(program ?? "")}`);
  }
  return argv.map((a, i) => escapeExecWord(a, `${what}[${i}]`)).join(" ");
}

/** One entry of a path list (`ReadWritePaths=` …); `optional` prefixes "-" (ignored when missing). */
export function escapePathListEntry(path: string, optional = false, what = "path"): string {
  refuseControl(path, what);
  if (!path.startsWith("/")) throw new Error(`${what}: ${JSON.stringify(path)} must be an absolute path`);
  return quoteWord(`${optional ? "-" : ""}${path.split("%").join("%%")}`);
}
