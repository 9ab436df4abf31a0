/**
 * Reads and validates the config file. Every problem becomes one ConfigError (exit 78) that
 * names the file, the key and the fix.
 */
import { promises as fsp } from "node:fs";
import { z } from "zod";
import { ConfigError, errnoCode } from "../errors";
import { ConfigSchema, type Config } from "./schema";

export const DEFAULT_CONFIG_PATH = "/etc/openclaw-oauth-sync/config.json";

/** Pure: validates parsed JSON. */
export function parseConfig(raw: unknown, source: string): Config {
  const r = ConfigSchema.safeParse(raw, { reportInput: false });
  if (r.success) return r.data;
  throw new ConfigError(`${source}: invalid config\n${formatIssues(r.error)}`);
}

export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const at = i.path.length ? i.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "") : "(top level)";
      if (i.code === "unrecognized_keys") {
        return `  ✖ ${at === "(top level)" ? "" : at + ": "}unknown key${i.keys.length > 1 ? "s" : ""} ${i.keys.map((k) => `"${k}"`).join(", ")} (remove or fix the spelling; see README "Runtime config")`;
      }
      return `  ✖ ${at}: ${i.message}`;
    })
    .join("\n");
}

export async function loadConfig(path: string): Promise<Config> {
  let text: string;
  try {
    text = await fsp.readFile(path, "utf8");
  } catch (e) {
    const code = errnoCode(e);
    if (code === "ENOENT") throw new ConfigError(`${path}: config file not found (pass --config <file> or create it; see README "Runtime config")`);
    if (code === "EACCES") throw new ConfigError(`${path}: permission denied reading the config (run as root or the service account)`);
    if (code === "EISDIR") throw new ConfigError(`${path}: is a directory, expected a JSON file`);
    throw e;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${path}: not valid JSON: ${(e as Error).message}`);
  }
  return parseConfig(raw, path);
}
