/**
 * The `credentials/oauth.json` target (DESIGN §4): seed compatibility / legacy import. Retired
 * in the SQLite era (facts/openclaw.md §3.1: "Runtime never reads these retired files").
 */
import { dirname } from "node:path";
import type { OauthJsonTarget } from "../../contract/targets";
import { readTextIfExists, writeFileAtomic } from "../../fsx/atomic";
import { decideEra, gatherEraFacts } from "../../openclaw/era";
import { defaultAgentDir, oauthJsonPath } from "../../openclaw/paths";
import { scrubText } from "../../redact";
import { planOauthJson } from "../plan/oauth-json";
import type { TargetResult } from "../types";
import { ensureDir, failure, isDir, newFileOwnership, type RunContext } from "../context";

export function oauthJsonTargetPath(stateDir: string, target: OauthJsonTarget): string {
  return target.path ?? oauthJsonPath(stateDir);
}

/** The era of the state dir as a whole: that of its main agent (a shared SQLite store counts). */
export async function stateDirEra(ctx: Pick<RunContext, "config" | "version">) {
  const stateDir = ctx.config.openclaw.stateDir;
  return decideEra(await gatherEraFacts(defaultAgentDir(stateDir, "main"), stateDir, ctx.version));
}

export async function syncOauthJson(ctx: RunContext, target: OauthJsonTarget): Promise<TargetResult> {
  const stateDir = ctx.config.openclaw.stateDir;
  const path = oauthJsonTargetPath(stateDir, target);
  const label = `oauth-json:${path}`;
  try {
    const era = await stateDirEra(ctx);
    if (era.era === "sqlite") {
      return {
        target: label,
        outcome: "refused",
        path,
        era: "sqlite",
        detail: `credentials/oauth.json is retired in SQLite-era OpenClaw (${era.reason}) and never read: remove this target; the auth-store target covers this OpenClaw`,
      };
    }
    const dir = dirname(path);
    if (!(await isDir(dir))) {
      // OpenClaw's own credentials dir may not exist yet; anything else missing means a wrong path.
      if (target.path === undefined && ctx.stateDirExists) await ensureDir(dir, ctx.owner);
      else return { target: label, outcome: "refused", path, detail: `directory ${dir} does not exist: fix the target's path (or openclaw.stateDir)` };
    }
    const text = await readTextIfExists(path);
    const plan = planOauthJson(text, ctx.creds, target.includeRefreshToken);
    switch (plan.action) {
      case "refuse":
        return { target: label, outcome: "refused", path, detail: `${path}: ${plan.detail}` };
      case "skip-newer":
        return { target: label, outcome: "skipped-newer", path, detail: plan.detail };
      case "unchanged":
        return { target: label, outcome: "unchanged", path, detail: plan.detail };
      case "write":
        await writeFileAtomic(path, plan.text, newFileOwnership(ctx));
        return { target: label, outcome: "written", path, detail: plan.detail };
    }
  } catch (e) {
    return failure(label, path, e, (s) => scrubText(s, [ctx.creds.accessToken, ctx.creds.refreshToken]));
  }
}
