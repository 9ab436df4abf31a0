/**
 * One line per zod issue, naming the key: how both the runtime (config/load.ts, exit 78) and the
 * Pulumi program (infra/plan/runtime-config.ts) report a config the runtime would refuse.
 */
import type { z } from "zod";

export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const at = i.path.length ? i.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "") : "(top level)";
      if (i.code === "unrecognized_keys") {
        return `  ✖ ${at === "(top level)" ? "" : at + ": "}unknown key${i.keys.length > 1 ? "s" : ""} ${i.keys.map((k) => `"${k}"`).join(", ")} (remove or fix the spelling; see docs/runtime.md, "Runtime config")`;
      }
      return `  ✖ ${at}: ${i.message}`;
    })
    .join("\n");
}
