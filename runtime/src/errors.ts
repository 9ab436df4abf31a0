/**
 * Exit codes (documented in README, "Exit codes"). sysexits.h where one fits.
 */
export const ExitCode = {
  ok: 0,
  /** A command-specific failure: a sync target failed, status --check found an expired token. */
  failure: 1,
  /** status --check: the token expires within the warning window. */
  expiring: 2,
  usage: 64,
  /** Input data unusable: credentials file missing fields, not JSON, wrong shape. */
  dataErr: 65,
  noInput: 66,
  software: 70,
  ioErr: 74,
  /** Another process holds a lock we waited for in vain. */
  tempFail: 75,
  noPerm: 77,
  config: 78,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error whose message is written for the operator: it names the file or field and the fix. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.failure,
  ) {
    super(message);
    this.name = "UserError";
  }
}

export class ConfigError extends UserError {
  constructor(message: string) {
    super(message, ExitCode.config);
    this.name = "ConfigError";
  }
}

/** Node's errno code of an error, if it has one. */
export function errnoCode(e: unknown): string | undefined {
  return typeof e === "object" && e !== null && "code" in e && typeof (e as { code: unknown }).code === "string"
    ? (e as { code: string }).code
    : undefined;
}
