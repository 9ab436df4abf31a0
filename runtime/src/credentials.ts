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
  /** Absent or "" for a long-lived token from `claude setup-token` (nothing to renew). */
  refreshToken: z.string().optional(),
  expiresAt: z.number().int().positive(),
  refreshTokenExpiresAt: z.number().int().positive().optional(),
  scopes: z.array(z.string()).default([]),
  subscriptionType: z.string().nullable().optional(),
  rateLimitTier: z.string().nullable().optional(),
});

export const ClaudeCredentialsFileSchema = z.looseObject({ claudeAiOauth: ClaudeOauthSchema });

export interface ClaudeCredentials {
  accessToken: string;
  /** "" for a long-lived token (see isLongLived). */
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
  | "too-large"
  /** Claude Code blanked the login (`accessToken: ""`, `expiresAt: 0`) after its refresh token was refused. */
  | "logged-out";

export class CredentialsError extends UserError {
  constructor(
    readonly problem: CredentialsProblem,
    readonly path: string,
    detail: string,
  ) {
    super(`${path}: ${detail}`, exitCodeOf(problem));
    this.name = "CredentialsError";
  }
}

function exitCodeOf(problem: CredentialsProblem): ExitCode {
  switch (problem) {
    case "missing":
      return ExitCode.noInput;
    case "permission-denied":
      return ExitCode.noPerm;
    case "logged-out":
      // Not bad input: a login that ended. Same code as every other "a human must log in".
      return ExitCode.failure;
    default:
      return ExitCode.dataErr;
  }
}

/**
 * A `claude setup-token` token (about a year) written without a refresh token: nothing can renew
 * it, so nothing tries; its own expiry is the login deadline. A `/login` has a refresh token and
 * is renewed by Claude Code every ~8 h.
 */
export function isLongLived(c: Pick<ClaudeCredentials, "refreshToken">): boolean {
  return c.refreshToken === "";
}

/** When a human must log in again at the latest: the refresh token's end, or a long-lived token's expiry. */
export function loginDeadline(c: Pick<ClaudeCredentials, "refreshToken" | "expiresAt" | "refreshTokenExpiresAt">): number | undefined {
  return isLongLived(c) ? c.expiresAt : c.refreshTokenExpiresAt;
}

/** True for a problem that only a new `/login` fixes (as opposed to a file to repair). */
export function isLoggedOut(e: unknown): boolean {
  return e instanceof CredentialsError && e.problem === "logged-out";
}

export const LOGGED_OUT_DETAIL =
  "logged out: Claude Code cleared this login (accessToken \"\", expiresAt 0) after Anthropic refused its refresh token; only a new /login helps";

/**
 * Pure: what Claude Code leaves after a dead refresh token (facts/claude-code.md §4): the same
 * object with `accessToken: ""`, `refreshToken: ""`, `expiresAt: 0`. Recognised before the
 * schema, so it reads as "logged out" rather than "not a Claude Code login".
 */
function isBlankedLogin(raw: unknown): boolean {
  if (!raw || typeof raw !== "object") return false;
  const o = (raw as { claudeAiOauth?: unknown }).claudeAiOauth;
  if (!o || typeof o !== "object") return false;
  const { accessToken, expiresAt } = o as { accessToken?: unknown; expiresAt?: unknown };
  return accessToken === "" && (expiresAt === 0 || expiresAt === undefined || expiresAt === null);
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
  if (isBlankedLogin(raw)) throw new CredentialsError("logged-out", path, LOGGED_OUT_DETAIL);
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
  const refreshToken = o.refreshToken ?? "";
  return {
    accessToken: o.accessToken,
    refreshToken,
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
