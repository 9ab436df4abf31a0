/** Shell quoting for the scripts we send over SSH. Values are data, never code. */

/** Single-quotes a string for /bin/sh: `it's` → `'it'\''s'`. Refuses NUL, which no argv can hold. */
export function shq(s: string): string {
  if (s.includes("\0")) throw new Error("shq: a shell word cannot contain a NUL byte");
  return `'${s.split("'").join(`'\\''`)}'`;
}
