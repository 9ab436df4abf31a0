import { test } from "node:test";
import assert from "node:assert/strict";
import { parseDeclaredAgents } from "../../../runtime/src/openclaw/agents";

test("issue 18: agents declared in openclaw.json, with their agent dirs", () => {
  const doc = {
    agents: {
      list: [{ id: "main", default: true }, { id: "work", agentDir: "~/agents-work" }, { id: "abs", agentDir: "/srv/a/agent" }, { id: "rel", agentDir: "x/agent" }, { id: "bad id!" }],
      entries: { ops: { agentDir: "/srv/ops" }, work: { agentDir: "/ignored/duplicate" } },
    },
  };
  const r = parseDeclaredAgents(doc, "/s", "/home/oc");
  assert.deepEqual(
    r.agents.map((a) => [a.id, a.agentDir, a.custom, a.source]),
    [
      ["main", "/s/agents/main/agent", false, "agents.list[0]"],
      ["work", "/home/oc/agents-work", true, "agents.list[1]"],
      ["abs", "/srv/a/agent", true, "agents.list[2]"],
      ["ops", "/srv/ops", true, "agents.entries.ops"],
    ],
  );
  assert.equal(r.problems.length, 1);
  assert.match(r.problems[0]!, /agents\.list\[3\]\.agentDir "x\/agent" is relative/);

  // Docker mode: container paths under /home/node/.openclaw map onto the host state dir.
  const d = parseDeclaredAgents({ agents: { list: [{ id: "w", agentDir: "~/.openclaw/custom/w" }, { id: "o", agentDir: "/data/o" }] } }, "/srv/oc", "/home/node", "/home/node/.openclaw");
  assert.deepEqual(d.agents.map((a) => a.agentDir), ["/srv/oc/custom/w"]);
  assert.match(d.problems[0]!, /outside the container's \/home\/node\/\.openclaw/);
  assert.deepEqual(parseDeclaredAgents({}, "/s", undefined), { agents: [], problems: [] });
});
