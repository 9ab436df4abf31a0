/**
 * Fake Claude tokens for tests: the real shape, random content, never valid anywhere.
 * Tests check that none of these values appear in output.
 */
import { randomBytes } from "node:crypto";

export function fakeAccessToken(): string {
  return `sk-ant-oat01-${randomBytes(60).toString("base64url")}AA`;
}

export function fakeRefreshToken(): string {
  return `sk-ant-ort01-${randomBytes(60).toString("base64url")}AA`;
}

export interface FakeCredentialsOptions {
  accessToken?: string;
  refreshToken?: string;
  expiresAt?: number;
  scopes?: unknown;
  extra?: Record<string, unknown>;
}

/** The object Claude Code writes to ~/.claude/.credentials.json (facts/openclaw.md §1.2). */
export function fakeCredentialsFile(o: FakeCredentialsOptions = {}): { claudeAiOauth: Record<string, unknown> } & Record<string, unknown> {
  return {
    claudeAiOauth: {
      accessToken: o.accessToken ?? fakeAccessToken(),
      refreshToken: o.refreshToken ?? fakeRefreshToken(),
      expiresAt: o.expiresAt ?? Date.now() + 8 * 3600_000,
      refreshTokenExpiresAt: Date.now() + 30 * 86400_000,
      scopes: o.scopes ?? ["user:inference", "user:profile", "user:sessions:claude_code"],
      subscriptionType: "max",
      rateLimitTier: "default_claude_max_20x",
    },
    ...o.extra,
  };
}

/** Asserts that no token-shaped secret appears in `text`; returns the offending one if any. */
export function findLeakedToken(text: string, tokens: readonly string[]): string | undefined {
  return tokens.find((t) => text.includes(t) || text.includes(t.slice(13, 40)));
}
