/**
 * The `.env` target (DESIGN §4): one KEY=token line in OpenClaw's global `.env` or in the
 * Compose project's `.env`. Read only at process start, so a change needs a restart / re-create.
 */
import { dirname } from "node:path";
import type { EnvTarget } from "../../contract/targets";
import type { ReloadConfig } from "../../contract/schema";
import { readTextIfExists, writeFileAtomic } from "../../fsx/atomic";
import { globalEnvPath } from "../../openclaw/paths";
import { scrubText } from "../../redact";
import { planEnv } from "../plan/env";
import { tokenHash } from "../state";
import type { TargetResult } from "../types";
import { failure, isDir, newFileOwnership, type RunContext } from "../context";

export function envTargetPath(stateDir: string, target: EnvTarget): string {
  return target.path ?? globalEnvPath(stateDir);
}

/**
 * Pure: the reload action that makes a changed .env take effect for this consumer, or
 * undefined when the configured one does. `command` is the operator's own and trusted.
 */
export function envReloadAdvice(consumer: EnvTarget["consumer"], action: ReloadConfig["action"]): string | undefined {
  if (action === "command") return undefined;
  if (consumer === "compose-project") return action === "container-recreate" ? undefined : "container-recreate";
  return action === "gateway-restart" || action === "container-recreate" ? undefined : "gateway-restart";
}

export async function syncEnv(ctx: RunContext, target: EnvTarget): Promise<TargetResult> {
  const path = envTargetPath(ctx.config.openclaw.stateDir, target);
  const label = `env:${path}`;
  const recordKey = `${path}|${target.key}`;
  try {
    if (!(await isDir(dirname(path)))) {
      return { target: label, outcome: "refused", path, detail: `directory ${dirname(path)} does not exist: fix the target's path (or openclaw.stateDir)` };
    }
    const text = await readTextIfExists(path);
    const plan = planEnv(text, target.key, ctx.creds, ctx.state.env[recordKey]);
    if (plan.action === "skip-newer") return { target: label, outcome: "skipped-newer", path, detail: plan.detail };
    if (plan.action === "unchanged") {
      remember(ctx, recordKey);
      return { target: label, outcome: "unchanged", path, detail: plan.detail };
    }
    await writeFileAtomic(path, plan.text, newFileOwnership(ctx));
    remember(ctx, recordKey);
    for (const w of plan.warnings ?? []) ctx.deps.log.warn(`${label}: ${w}`);
    const advice = envReloadAdvice(target.consumer, ctx.config.reload.action);
    if (advice) {
      ctx.deps.log.warn(`${label} changed, but reload.action=${ctx.config.reload.action} does not make a ${target.consumer} .env take effect; reload.action=${advice} would`);
    }
    return { target: label, outcome: "written", path, detail: plan.detail };
  } catch (e) {
    return failure(label, path, e, (s) => scrubText(s, [ctx.creds.accessToken, ctx.creds.refreshToken]));
  }
}

/** Records the token the file now holds, so a later run can tell our value from a foreign one. */
function remember(ctx: RunContext, key: string): void {
  const hash = tokenHash(ctx.creds.accessToken);
  const prev = ctx.state.env[key];
  if (prev?.hash === hash && prev.expiresAt === ctx.creds.expiresAt) return;
  ctx.state.env[key] = { hash, expiresAt: ctx.creds.expiresAt, at: ctx.deps.now() };
}
