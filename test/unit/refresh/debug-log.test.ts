/**
 * tokenEndpointResult on the Claude CLI's --debug-file lines, in the formats of facts/claude-code.md
 * §4 and those the real-CLI harness recorded (test/helpers/claude-sandbox.ts, 2.1.328 / 2.1.332):
 *   [ERROR] OAuth refresh failed (expected): Request failed with status code 400   (400/401/403/429)
 *   [ERROR] "AxiosError: [url=https://platform.claude.com/v1/oauth/token,status=500,body=…]  (5xx)
 *   [ERROR] OAuth refresh failed (expected): timeout of 30000ms exceeded            (no answer, -p)
 *   [DEBUG] OAuth refresh still in flight after 8000ms; exiting without waiting…   (no answer, auth status)
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { tokenEndpointResult, type TokenEndpointResult } from "../../../runtime/src/refresh/debug-log";
import { fakeAccessToken, fakeRefreshToken } from "../../helpers/tokens";

const TS = "2026-12-06T10:00:00.000Z";
const refreshFailed = (status: number) => `${TS} [ERROR] OAuth refresh failed (expected): Request failed with status code ${status}`;
const axios = (status: number, body = '{"type":"error","error":{"type":"api_error","message":"Internal server error"}}') =>
  `${TS} [ERROR] "AxiosError: [url=https://platform.claude.com/v1/oauth/token,status=${status},body=${body}] Request failed with status code ${status}"`;
const messages429 = `${TS} [ERROR] "AxiosError: [url=https://api.anthropic.com/v1/messages?beta=true,status=429,body={"type":"error","error":{"type":"rate_limit_error"}}]"`;
const noise = [
  `${TS} [DEBUG] HEAD https://api.anthropic.com/api/hello`,
  `${TS} [DEBUG] Config dir: /home/a/.claude`,
  `${TS} [DEBUG] Stream started - received first chunk (request_id req_011CZ500x429Q)`,
];
const log = (...lines: string[]) => [...noise, ...lines, ""].join("\n");
const status = (s: number): TokenEndpointResult => ({ kind: "status", status: s });
const NO_ANSWER: TokenEndpointResult = { kind: "no-answer" };
const NONE: TokenEndpointResult = { kind: "none" };

describe("tokenEndpointResult: the token endpoint's answer", () => {
  for (const s of [400, 401, 403, 429]) {
    test(`"OAuth refresh failed (expected): Request failed with status code ${s}" → ${s}`, () => {
      assert.deepEqual(tokenEndpointResult(log(refreshFailed(s))), status(s));
    });
  }
  for (const s of [500, 502, 503]) {
    test(`AxiosError [url=…/v1/oauth/token,status=${s},body=…] → ${s}`, () => {
      assert.deepEqual(tokenEndpointResult(log(axios(s))), status(s));
    });
  }
  test("a Cloudflare HTML body does not disturb the status", () => {
    assert.deepEqual(tokenEndpointResult(log(axios(403, "<!DOCTYPE html><title>Just a moment...</title> status 200 cf-ray: 8f1e2d3c-FRA"))), status(403));
  });
  test("the url's status field wins over a status inside the body", () => {
    assert.deepEqual(tokenEndpointResult(log(axios(500, '{"status":429}'))), status(500));
  });
  test("the CLI retries up to 8–9 times within one run: the last status wins", () => {
    assert.deepEqual(tokenEndpointResult(log(...Array.from({ length: 8 }, () => axios(500)), refreshFailed(400))), status(400));
    assert.deepEqual(tokenEndpointResult(log(refreshFailed(429), refreshFailed(429), axios(503))), status(503));
  });
  test("a no-answer after a status, or a status after a no-answer: the last one wins", () => {
    assert.deepEqual(tokenEndpointResult(log(axios(500), `${TS} [ERROR] OAuth refresh failed (expected): timeout of 30000ms exceeded`)), NO_ANSWER);
    assert.deepEqual(tokenEndpointResult(log(`${TS} [ERROR] OAuth refresh failed (expected): timeout of 30000ms exceeded`, refreshFailed(401))), status(401));
  });
  test("CRLF line ends", () => {
    assert.deepEqual(tokenEndpointResult([refreshFailed(400), ""].join("\r\n")), status(400));
  });
});

describe("tokenEndpointResult: lines that are not the token endpoint", () => {
  test("a 429 of /v1/messages is ignored", () => {
    assert.deepEqual(tokenEndpointResult(log(messages429)), NONE);
    assert.deepEqual(tokenEndpointResult(log(axios(500), messages429)), status(500), "and does not overwrite the token endpoint's status");
  });
  test("an API error with a status code but no OAuth refresh in it is ignored", () => {
    assert.deepEqual(tokenEndpointResult(log(`${TS} [ERROR] API Error: Request failed with status code 529`)), NONE);
    assert.deepEqual(tokenEndpointResult(log(`${TS} [ERROR] Error: 401 OAuth token has expired. Please obtain a new token or refresh your existing token.`)), NONE);
  });
  test("a request id containing 500 or 429 is not a status", () => {
    assert.deepEqual(tokenEndpointResult(log(`${TS} [DEBUG] OAuth token refresh: request_id req_011CZ500x429Q`)), NONE);
    assert.deepEqual(tokenEndpointResult(log(`${TS} [DEBUG] GET https://api.anthropic.com/api/oauth/profile status=200 request_id=req_500`)), NONE);
  });
  test("a connection error to another host is not the token endpoint's", () => {
    assert.deepEqual(tokenEndpointResult(log(`${TS} [ERROR] connect ECONNREFUSED 127.0.0.1:443 (HEAD https://api.anthropic.com/api/hello)`)), NONE);
  });
  test("empty log, or a run that renewed without error → none", () => {
    assert.deepEqual(tokenEndpointResult(""), NONE);
    assert.deepEqual(tokenEndpointResult(log(`${TS} [DEBUG] Refreshing OAuth token`, `${TS} [DEBUG] OAuth token refreshed`)), NONE);
  });
});

describe("tokenEndpointResult: no answer", () => {
  const cases: [string, string][] = [
    ["-p: timeout of 30000ms exceeded (3 × 30 s)", `${TS} [ERROR] OAuth refresh failed (expected): timeout of 30000ms exceeded`],
    ["auth status: still in flight after ~8 s", `${TS} [DEBUG] OAuth refresh still in flight after 8000.52ms; exiting without waiting further`],
    ["ECONNREFUSED on the token URL", `${TS} [ERROR] "AxiosError: [url=https://platform.claude.com/v1/oauth/token] connect ECONNREFUSED 127.0.0.1:443"`],
    ["ETIMEDOUT on the token URL", `${TS} [ERROR] "AxiosError: [url=https://platform.claude.com/v1/oauth/token] connect ETIMEDOUT 160.79.104.10:443"`],
    ["ENOTFOUND during the OAuth refresh", `${TS} [ERROR] OAuth refresh failed (expected): getaddrinfo ENOTFOUND platform.claude.com`],
    ["socket hang up during the OAuth refresh", `${TS} [ERROR] OAuth refresh failed (expected): socket hang up`],
  ];
  for (const [name, line] of cases) {
    test(`${name} → no-answer`, () => assert.deepEqual(tokenEndpointResult(log(line)), NO_ANSWER));
  }
  test("a timeout of the model call is not the token endpoint's", () => {
    assert.deepEqual(tokenEndpointResult(log(`${TS} [ERROR] API Error: Request timed out.`)), NONE);
  });
});

test("only the status leaves the module: a token in the log never reaches the result", () => {
  const at = fakeAccessToken();
  const rt = fakeRefreshToken();
  const r = tokenEndpointResult(log(`${TS} [DEBUG] POST https://platform.claude.com/v1/oauth/token refresh_token=${rt}`, axios(500, `{"access_token":"${at}"}`)));
  assert.deepEqual(r, status(500));
  assert.ok(!JSON.stringify(r).includes(at.slice(13, 40)) && !JSON.stringify(r).includes(rt.slice(13, 40)));
});
