/**
 * Pure: what the Claude CLI's debug log (`--debug-file`) says about the token endpoint, in the
 * formats 2.1.328 and 2.1.332 were seen to write (docs/claude-code-observed.md):
 *   [ERROR] OAuth refresh failed (expected): Request failed with status code 400   (400/401/403/429)
 *   [ERROR] "AxiosError: [url=https://platform.claude.com/v1/oauth/token,status=500,body=…]  (5xx)
 *   [ERROR] OAuth refresh failed (expected): timeout of 30000ms exceeded            (no answer, -p)
 *   [DEBUG] OAuth refresh still in flight after 8000ms; exiting without waiting…   (no answer, auth status)
 * The CLI
 * prints the same line for every failed renewal (facts/claude-code.md §4); only its debug log and
 * the credentials file afterwards tell a dead login from a passing outage. The log is a secret
 * until proven otherwise: only the HTTP status (or "no answer") leaves this module, never a line.
 */

export type TokenEndpointResult =
  /** The token endpoint answered with this HTTP status (the last one seen in the run). */
  | { kind: "status"; status: number }
  /** It was tried and did not answer (timeout, connection refused or reset, DNS). */
  | { kind: "no-answer" }
  /** The log shows no failed call to it (it was not called, or the call succeeded). */
  | { kind: "none" };

const TOKEN_URL = /oauth\/token/i;
/** `[url=https://platform.claude.com/v1/oauth/token,status=500,body=…]` */
const STATUS_FIELD = /\bstatus[=:]\s*(\d{3})\b/i;
/** `OAuth refresh failed (expected): Request failed with status code 400` */
const AXIOS_STATUS = /Request failed with status code (\d{3})/i;
const REFRESH_LINE = /OAuth (?:token )?refresh|refresh(?:ing)? (?:the )?(?:OAuth )?token|oauth\/token/i;
/** `auth status` stops waiting for a token endpoint that does not answer (docs/claude-code-observed.md). */
const STILL_IN_FLIGHT = /OAuth refresh still in flight after [\d.]+ms/i;
const NO_ANSWER = /\b(?:ETIMEDOUT|ECONNABORTED|ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH|socket hang up|timeout of \d+ms exceeded|timed? ?out|network error|fetch failed)\b/i;

export function tokenEndpointResult(log: string): TokenEndpointResult {
  let last: TokenEndpointResult = { kind: "none" };
  for (const line of log.split("\n")) {
    if (!REFRESH_LINE.test(line) && !TOKEN_URL.test(line)) continue;
    const status = (TOKEN_URL.test(line) ? STATUS_FIELD.exec(line) : null) ?? AXIOS_STATUS.exec(line);
    if (status) {
      last = { kind: "status", status: Number(status[1]) };
      continue;
    }
    if (STILL_IN_FLIGHT.test(line) || (NO_ANSWER.test(line) && /error|fail/i.test(line))) last = { kind: "no-answer" };
  }
  return last;
}
