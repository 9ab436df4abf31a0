/**
 * The stack config reference (docs/stack-config.md), Pulumi.yaml and the example stack files stay in step with the zod schema.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseStackConfig, PROJECT, SECRET_KEYS, StackConfigSchema, stackDeprecations } from "../../../infra/plan/stack-config";

const ROOT = join(__dirname, "..", "..", "..");
// js-yaml comes with @pulumi/pulumi; it is only used to read our YAML files here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require("js-yaml") as { load(text: string): unknown };

const SCHEMA_KEYS = Object.keys(StackConfigSchema.shape);

function stackFileReader(file: string): { read: (k: string) => string | undefined; keys: string[] } {
  const doc = yaml.load(readFileSync(join(ROOT, file), "utf8")) as { config: Record<string, unknown> };
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc.config)) {
    assert.ok(k.startsWith(`${PROJECT}:`), `${file}: key ${k} is not in the ${PROJECT} namespace`);
    if (v && typeof v === "object" && "secure" in v) continue;
    values[k.slice(PROJECT.length + 1)] = typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
  }
  return { read: (k) => values[k], keys: Object.keys(values) };
}

describe("docs and example stacks", () => {
  test("every stack-config key (and secret) appears in docs/stack-config.md", () => {
    const doc = readFileSync(join(ROOT, "docs", "stack-config.md"), "utf8");
    const missing = [...SCHEMA_KEYS, ...SECRET_KEYS].filter((k) => !doc.includes(`\`${k}\``));
    assert.deepEqual(missing, [], `keys not documented: ${missing.join(", ")}`);
  });

  for (const file of ["docs/examples/Pulumi.native.yaml", "docs/examples/Pulumi.docker.yaml"]) {
    test(`${file} is a valid stack config`, () => {
      const { read, keys } = stackFileReader(file);
      const r = parseStackConfig(read, keys);
      assert.ok(r.ok, !r.ok ? r.message : "");
      assert.deepEqual(stackDeprecations(r.config), [], "the examples use no deprecated key");
    });
  }

  test("Pulumi.yaml: project settings, and declared defaults equal the zod defaults", () => {
    const p = yaml.load(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8")) as {
      name: string;
      main: string;
      runtime: { name: string; options: { typescript: boolean } };
      options: { refresh: string };
      backend: { url: string };
      config: Record<string, { type: string; default?: unknown; secret?: boolean }>;
    };
    assert.equal(p.name, PROJECT);
    assert.equal(p.main, "infra/");
    // The program is TS loaded by infra/index.js with tsx, not Pulumi's ts-node (see that file).
    assert.deepEqual(p.runtime, { name: "nodejs", options: { typescript: false } });
    assert.ok(existsSync(join(ROOT, "infra", "index.js")), "infra/index.js (the tsx loader) is the entry of main: infra/");
    // Both index.js and index.ts in main would make Pulumi print a warning on every run.
    assert.ok(!existsSync(join(ROOT, "infra", "index.ts")), "infra/index.ts must not exist next to infra/index.js");
    assert.deepEqual(p.options, { refresh: "always" });
    assert.match(p.backend.url, /^file:\/\//);
    const defaults = parseStackConfig((k) => (k === "host" ? "h" : undefined));
    assert.ok(defaults.ok);
    for (const [key, decl] of Object.entries(p.config)) {
      assert.ok(SCHEMA_KEYS.includes(key), `Pulumi.yaml declares unknown key ${key}`);
      assert.ok(["string", "integer", "boolean"].includes(decl.type), `${key}: type ${decl.type}`);
      if ("default" in decl) {
        assert.deepEqual(decl.default, (defaults.config as Record<string, unknown>)[key], `${key}: Pulumi.yaml default differs from the zod default`);
      } else {
        assert.equal(key, "host", `${key} is declared without a default, so Pulumi would require it`);
      }
    }
  });
});
