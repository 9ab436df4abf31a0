/**
 * Config schema of the sync targets (DESIGN §4). Each target says what it writes, where, and for
 * which OpenClaw storage era.
 */
import { z } from "zod";

const AbsPath = z.string().refine((p) => p.startsWith("/"), { message: "must be an absolute path" });
const ProfileId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]*:[A-Za-z0-9_.@+-]+$/, { message: 'must look like "anthropic:default"' });

export const AuthStoreTargetSchema = z.strictObject({
  kind: z.literal("auth-store"),
  /** "all" = every agent dir under <openclaw.stateDir>/agents/, or a list of agent ids. */
  agents: z.union([z.literal("all"), z.array(z.string().regex(/^[A-Za-z0-9_.-]+$/)).min(1)]).default("all"),
  /** Explicit agent dirs (agents.list[].agentDir), in addition to `agents`. */
  agentDirs: z.array(AbsPath).default([]),
  profileId: ProfileId.default("anthropic:default"),
  /** "token": {type:"token", token, expires}; "oauth": seed-compatible {type:"oauth", access, expires}. */
  profileType: z.enum(["token", "oauth"]).default("token"),
  /** auto = detect per agent dir; the others force one era. */
  era: z.enum(["auto", "json", "json-split", "sqlite"]).default("auto"),
  /** Set lastGood.anthropic to our profile after a write (JSON eras). */
  setLastGood: z.boolean().default(true),
  /** Clear our profile's cooldown/disabled state after a good sync (JSON eras). */
  clearCooldown: z.boolean().default(true),
  /** Copies Claude's refresh token too (oauth type only). Two refreshers then share one single-use token: see README. */
  includeRefreshToken: z.boolean().default(false),
});

export const OauthJsonTargetSchema = z.strictObject({
  kind: z.literal("oauth-json"),
  /** Default: <openclaw.stateDir>/credentials/oauth.json */
  path: AbsPath.optional(),
  includeRefreshToken: z.boolean().default(false),
});

export const EnvTargetSchema = z.strictObject({
  kind: z.literal("env"),
  /** Default: <openclaw.stateDir>/.env (OpenClaw's global .env). */
  path: AbsPath.optional(),
  key: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: "must be a shell variable name" }).default("ANTHROPIC_OAUTH_TOKEN"),
  /**
   * Who reads this file, which decides what makes a change take effect:
   * "openclaw-global" (~/.openclaw/.env, read at gateway start → gateway restart),
   * "compose-project" (the Compose project's .env → container re-create).
   */
  consumer: z.enum(["openclaw-global", "compose-project"]).default("openclaw-global"),
});

export const TargetSchema = z.discriminatedUnion("kind", [AuthStoreTargetSchema, OauthJsonTargetSchema, EnvTargetSchema]);

export type AuthStoreTarget = z.infer<typeof AuthStoreTargetSchema>;
export type OauthJsonTarget = z.infer<typeof OauthJsonTargetSchema>;
export type EnvTarget = z.infer<typeof EnvTargetSchema>;
export type Target = z.infer<typeof TargetSchema>;
