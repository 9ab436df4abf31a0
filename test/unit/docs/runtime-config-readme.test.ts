/**
 * Every key of the runtime config schema is documented in docs/runtime.md, the runtime reference
 * (issue: "every key documented with its default"). Walks the zod schema, so a new key without docs fails.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { ConfigSchema } from "../../../runtime/src/contract/schema";

type AnySchema = z.core.$ZodType;

/** Dotted key paths of an object schema, looking through optional/default/array/union wrappers. */
export function keyPaths(schema: AnySchema, prefix = ""): string[] {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
  switch (def.type) {
    case "optional":
    case "default":
    case "nullable":
    case "prefault":
    case "readonly":
    case "pipe":
      return keyPaths((def.innerType ?? def.in) as AnySchema, prefix);
    case "array":
      return keyPaths(def.element as AnySchema, prefix);
    case "union":
      return [...new Set((def.options as AnySchema[]).flatMap((o) => keyPaths(o, prefix)))];
    case "object": {
      const shape = def.shape as Record<string, AnySchema>;
      return Object.entries(shape).flatMap(([k, v]) => {
        const p = prefix ? `${prefix}.${k}` : k;
        return [p, ...keyPaths(v, p)];
      });
    }
    default:
      return [];
  }
}

test("every runtime config key appears in docs/runtime.md", () => {
  const readme = readFileSync(join(__dirname, "../../../docs/runtime.md"), "utf8");
  const paths = keyPaths(ConfigSchema);
  assert.ok(paths.length > 40, `expected the whole schema, walked only ${paths.length} keys`);
  const missing = paths.filter((p) => {
    const leaf = p.split(".").pop()!;
    // Documented either as the full dotted path or as the leaf key inside its section's table.
    return !readme.includes(`\`${p}\``) && !readme.includes(`\`${leaf}\``) && !readme.includes(`"${leaf}"`);
  });
  assert.deepEqual(missing, [], `undocumented runtime config keys: ${missing.join(", ")}`);
});
