/** openclaw.json keys we manage. */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { planJsonKeys } from "../../../infra/plan/json-keys";
import { facts, stack } from "./fixtures";

describe("openclaw.json keys planner", () => {
  test("nothing configured → nothing managed", () => {
    assert.deepEqual(planJsonKeys(stack({ host: "h" }), facts("native-debian12")), { ok: true, values: [] });
  });

  test("per-agent overrides go to agents.entries.<id>.model where agents are keyed by id", () => {
    const r = planJsonKeys(stack({ host: "h", model: { agents: { main: { primary: "anthropic/claude-opus-4-6", fallbacks: [] } } } }), facts("docker-sqlite"));
    assert.deepEqual(r, {
      ok: true,
      values: [
        { path: ["agents", "entries", "main", "model", "primary"], value: "anthropic/claude-opus-4-6" },
        { path: ["agents", "entries", "main", "model", "fallbacks"], value: [] },
      ],
    });
  });

  test("per-agent overrides on a config with agents.list[] are refused with the fix", () => {
    const r = planJsonKeys(stack({ host: "h", model: { agents: { work: { primary: "anthropic/claude-opus-4-6" } } } }), facts("native-debian12"));
    assert.equal(r.ok, false);
    assert.match((r as { message: string }).message, /^openclaw-oauth-sync:model\.agents: .*agents\.list.*Fix: /);
  });

  test("per-agent overrides on a JSON5 file that could not be inspected are refused", () => {
    const f = facts("docker-sqlite");
    const r = planJsonKeys(stack({ host: "h", model: { agents: { main: { primary: "anthropic/claude-opus-4-6" } } } }), {
      config: { ...f.config, parse: "json5", agentsEntries: undefined, agentsList: [] },
    });
    assert.equal(r.ok, false);
    assert.match((r as { message: string }).message, /is JSON5/);
  });

  test("per-agent overrides on a release that predates agents.entries are refused (it would reject the key)", () => {
    const f = facts("docker-sqlite");
    const old = planJsonKeys(stack({ host: "h", model: { agents: { main: { primary: "anthropic/claude-opus-4-6" } } } }), {
      config: { ...f.config, agentsEntries: undefined, agentsList: [] },
      openclaw: { version: "2026.6.11" },
    });
    assert.equal(old.ok, false);
    assert.match((old as { message: string }).message, /OpenClaw 2026\.6\.11 .*not known to accept "agents\.entries"/);
    const unknown = planJsonKeys(stack({ host: "h", model: { agents: { main: { primary: "anthropic/claude-opus-4-6" } } } }), {
      config: { ...f.config, agentsEntries: undefined, agentsList: [] },
      openclaw: {},
    });
    assert.equal(unknown.ok, false);
    const current = planJsonKeys(stack({ host: "h", model: { agents: { main: { primary: "anthropic/claude-opus-4-6" } } } }), {
      config: { ...f.config, agentsEntries: undefined, agentsList: [] },
      openclaw: { version: "2026.9.6" },
    });
    assert.equal(current.ok, true);
  });

  test("removeBrokenAnthropicProvider manages the provider as absent", () => {
    const r = planJsonKeys(stack({ host: "h", removeBrokenAnthropicProvider: true }), facts("docker-sqlite"));
    assert.deepEqual(r, { ok: true, values: [{ path: ["models", "providers", "anthropic"] }] });
  });

  test("aliases are sorted by model, so the order of the stack file does not matter", () => {
    const r = planJsonKeys(stack({ host: "h", model: { aliases: { "anthropic/claude-sonnet-4-6": "s", "anthropic/claude-haiku-4-5": "h" } } }), facts("native-debian12"));
    assert.ok(r.ok);
    assert.deepEqual(r.values.map((v) => v.path[3]), ["anthropic/claude-haiku-4-5", "anthropic/claude-sonnet-4-6"]);
  });
});
