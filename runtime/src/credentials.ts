/**
 * The Claude Code CLI's credentials file (`~/.claude/.credentials.json`), validated at the edge.
 * Shape: facts/openclaw.md §1.2. Extra keys are tolerated; we never write this file.
 */
import { z } from "zod";
import { errnoCode, ExitCode, UserError } from "./errors";
import { FileTooLargeError, MAX_CREDENTIALS_BYTES, readFileCapped } from "./security/limits";

const ACCESS_PREFIX = "sk-ant-oat";

export const ClaudeOauthSchema = z.looseObject({
  accessToken: z
    .string()
    .refine((t) => t.startsWith(ACCESS_PREFIX), { message: `not a Claude OAuth access token (expected prefix ${ACCESS_PREFIX}…)` }),
  refreshToken: z.string().min(1),
  expiresAt: z.number().int().positive(),
  refreshTokenExpiresAt: z.number().int().positive().optional(),
  scopes: z.array(z.string()),
  subscriptionType: z.string().nullable().optional(),
  rateLimitTier: z.string().nullable().optional(),
});

export const ClaudeCredentialsFileSchema = z.looseObject({ claudeAiOauth: ClaudeOauthSchema });

export interface ClaudeCredentials {
  accessToken: string;
  refreshToken: string;
  /** Access-token expiry, epoch ms. */
  expiresAt: number;
  refreshTokenExpiresAt?: number | undefined;
  scopes: string[];
  subscriptionType?: string | null | undefined;
  rateLimitTier?: string | null | undefined;
}

/** Why the credentials file could not be used; each has its own operator-facing message. */
export type CredentialsProblem =
  | "missing"
  | "is-directory"
  | "permission-denied"
  | "empty"
  | "not-json"
  | "wrong-shape"
  | "too-large";

export class CredentialsError extends UserError {
  constructor(
    readonly problem: CredentialsProblem,
    readonly path: string,
    detail: string,
  ) {
    super(`${path}: ${detail}`, problem === "missing" ? ExitCode.noInput : problem === "permission-denied" ? ExitCode.noPerm : ExitCode.dataErr);
    this.name = "CredentialsError";
  }
}

/** Pure: parses file text. Error messages never contain token values (zod is told not to echo input). */
export function parseCredentials(text: string, path: string): ClaudeCredentials {
  if (text.trim() === "") {
    throw new CredentialsError("empty", path, "file is empty (a login in progress, or a truncated write); waiting for the next change");
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new CredentialsError(
      "not-json",
      path,
      `not valid JSON (${text.length} bytes; truncated mid-write?); left as is. If it stays like this, run 'claude /login' as the owning account`,
    );
  }
  const parsed = ClaudeCredentialsFileSchema.safeParse(raw, { reportInput: false });
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((i) => `${["claudeAiOauth", ...i.path.slice(1)].join(".")}: ${i.message}`)
      .join("; ");
    throw new CredentialsError(
      "wrong-shape",
      path,
      `not a Claude Code OAuth login: ${issues}. Log in with 'claude' (subscription login) as the owning account`,
    );
  }
  const o = parsed.data.claudeAiOauth;
  return {
    accessToken: o.accessToken,
    refreshToken: o.refreshToken,
    expiresAt: o.expiresAt,
    refreshTokenExpiresAt: o.refreshTokenExpiresAt,
    scopes: o.scopes,
    subscriptionType: o.subscriptionType,
    rateLimitTier: o.rateLimitTier,
  };
}

/** Reads and parses the credentials file; every failure is a CredentialsError with a fix. */
export async function readCredentials(path: string): Promise<ClaudeCredentials> {
  let text: string | undefined;
  try {
    // Capped: a real credentials file is ~500 bytes; a huge one is refused, not read into memory.
    text = await readFileCapped(path, MAX_CREDENTIALS_BYTES, "the credentials file");
  } catch (e) {
    if (e instanceof FileTooLargeError) throw new CredentialsError("too-large", path, e.message.slice(path.length + 2));
    const code = errnoCode(e);
    if (code === "ENOENT") {
      throw new CredentialsError("missing", path, "credentials file not found: log in with 'claude' as the owning account, or fix claudeCredentials in the config");
    }
    if (code === "EISDIR") {
      throw new CredentialsError(
        "is-directory",
        path,
        "is a directory, not a file (typical after 'docker run -v' of a path that did not exist yet): remove the directory and mount the file, or mount ~/.claude instead",
      );
    }
    if (code === "EACCES" || code === "EPERM") {
      throw new CredentialsError("permission-denied", path, "permission denied: run as root or as the account that owns the file");
    }
    throw e;
  }
  if (text === undefined) {
    throw new CredentialsError("missing", path, "credentials file not found: log in with 'claude' as the owning account, or fix claudeCredentials in the config");
  }
  return parseCredentials(text, path);
}
