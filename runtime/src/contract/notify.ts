/**
 * Config of notifications (issue: alert when a human must log in again). Owned by the notify module.
 *
 * Secret values (webhook URLs, bot tokens, ntfy access tokens, secret ntfy topics) are never in
 * this file: a channel names a key of the separate secrets file (`secretsFile`, root-owned, 0600),
 * e.g. `{ "type": "slack", "urlSecret": "slack_url" }`.
 */
import { z } from "zod";

const AbsPath = z.string().refine((p) => p.startsWith("/"), { message: "must be an absolute path" });
/** A key of the secrets file. */
const SecretRef = z.string().regex(/^[A-Za-z0-9_.-]+$/, { message: "must name a key of the secrets file (letters, digits, _ . -)" });
const HttpUrl = z.string().refine((u) => /^https?:\/\/[^\s/]+/.test(u), { message: "must be an http(s) URL" });
const Argv = z.array(z.string().min(1)).min(1);
/** Channel label in logs and `notify --test` output. Default: `<type>#<index>`. */
const Name = z.string().regex(/^[A-Za-z0-9_.:-]+$/, { message: "letters, digits, _ . : - only" }).optional();

export const NtfyChannelSchema = z
  .strictObject({
    type: z.literal("ntfy"),
    name: Name,
    /** ntfy server (no trailing path). */
    server: HttpUrl.default("https://ntfy.sh"),
    /** Topic, if it is not secret. On a public server anyone who knows the topic can read it: prefer topicSecret. */
    topic: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { message: "ntfy topics are 1-64 of A-Z a-z 0-9 _ -" }).optional(),
    topicSecret: SecretRef.optional(),
    /** Access token (Authorization: Bearer) for protected topics. */
    tokenSecret: SecretRef.optional(),
    /** ntfy priority of alerts (recoveries and tests are sent with "default"). */
    priority: z.enum(["min", "low", "default", "high", "urgent"]).default("high"),
    /** Extra ntfy tags (emoji short codes or words). */
    tags: z.array(z.string().regex(/^[A-Za-z0-9_+-]+$/)).default([]),
  })
  .refine((c) => (c.topic === undefined) !== (c.topicSecret === undefined), {
    message: "give exactly one of topic or topicSecret",
  });

export const WebhookChannelSchema = z.strictObject({
  type: z.literal("webhook"),
  name: Name,
  /** Secrets-file key holding the URL; the body is JSON {event, condition, active, host, message, timestamp}. */
  urlSecret: SecretRef,
});

export const TelegramChannelSchema = z.strictObject({
  type: z.literal("telegram"),
  name: Name,
  /** Secrets-file key holding the bot token (from @BotFather). */
  tokenSecret: SecretRef,
  /** Chat id (a number, or "@channelname"). */
  chatId: z.union([z.number().int(), z.string().regex(/^(-?\d+|@[A-Za-z0-9_]{5,})$/)]),
  /** Bot API base; change only for a self-hosted Bot API server. */
  apiBase: HttpUrl.default("https://api.telegram.org"),
});

export const SlackChannelSchema = z.strictObject({
  type: z.literal("slack"),
  name: Name,
  /** Secrets-file key holding the incoming-webhook URL. */
  urlSecret: SecretRef,
});

export const DiscordChannelSchema = z.strictObject({
  type: z.literal("discord"),
  name: Name,
  /** Secrets-file key holding the webhook URL. */
  urlSecret: SecretRef,
});

export const CommandChannelSchema = z.strictObject({
  type: z.literal("command"),
  name: Name,
  /** Program and arguments (no shell). The message is on stdin; NOTIFY_EVENT, NOTIFY_CONDITION, NOTIFY_ACTIVE, NOTIFY_HOST, NOTIFY_TITLE in the environment. */
  argv: Argv,
  timeoutSeconds: z.number().int().min(1).max(600).default(30),
});

export const ChannelSchema = z.discriminatedUnion("type", [
  NtfyChannelSchema,
  WebhookChannelSchema,
  TelegramChannelSchema,
  SlackChannelSchema,
  DiscordChannelSchema,
  CommandChannelSchema,
]);

export const NotifySchema = z.strictObject({
  /** JSON file `{ "<key>": "<secret>" }` holding channel secrets; must be a regular file owned by root with mode 0600 (or 0400). */
  secretsFile: AbsPath.optional(),
  /** Where alerts go; empty = alerts are only logged. */
  channels: z.array(ChannelSchema).default([]),
  /** While a condition stays active, alert again after this many minutes; 0 = never again. */
  reAlertMinutes: z.number().int().min(0).default(360),
  /** At most this many messages per channel per rolling hour (alerts, re-alerts and recoveries). */
  maxPerHour: z.number().int().min(1).default(6),
  /** `sync-failing` becomes active after this many consecutive failed syncs. */
  syncFailureThreshold: z.number().int().min(1).default(3),
  /** HTTP timeout per delivery. */
  timeoutSeconds: z.number().int().min(1).max(120).default(10),
  /** Host name shown in messages; default: the system host name. */
  hostname: z.string().min(1).optional(),
  /** Account that logs in to Claude, named in the login-required message; default: derived from claudeCredentials (/home/<user>/…). */
  loginUser: z.string().min(1).optional(),
});
export type NotifyConfig = z.infer<typeof NotifySchema>;
export type ChannelConfig = z.infer<typeof ChannelSchema>;

/** Names of the secrets a channel uses. */
export function secretRefs(c: ChannelConfig): string[] {
  switch (c.type) {
    case "ntfy":
      return [c.topicSecret, c.tokenSecret].filter((x): x is string => x !== undefined);
    case "webhook":
    case "slack":
    case "discord":
      return [c.urlSecret];
    case "telegram":
      return [c.tokenSecret];
    case "command":
      return [];
  }
}
