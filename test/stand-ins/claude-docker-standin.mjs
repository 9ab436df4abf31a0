#!/usr/bin/env node
// STAND-IN for the `docker` client, used by the refresh tests of `refresh.on: "container"`.
// It is NOT Docker. It understands exactly two calls:
//   docker ps -q --filter label=K=V [--filter …]   prints $DOCKER_STANDIN_IDS (newline-separated)
//   docker exec -u USER [-e K=V]… CONTAINER CMD…   records {user, env, container, cmd} to
//                                                  $DOCKER_STANDIN_RECORD, then runs CMD on this
//                                                  machine with the -e variables added
// DOCKER_STANDIN_CONTAINER_ENV (JSON object) plays the container's own environment (Config.Env),
// which `docker exec` gives every process and which the caller cannot drop from outside.
// The docker client's own environment is where DOCKER_STANDIN_* come from (the runtime passes its
// environment, scrubbed, to the docker client).
import { appendFileSync } from "node:fs";
import { spawnSync } from "node:child_process";

const [sub, ...rest] = process.argv.slice(2);
if (sub === "ps") {
  const ids = (process.env.DOCKER_STANDIN_IDS || "").split(",").filter(Boolean);
  if (process.env.DOCKER_STANDIN_RECORD) appendFileSync(process.env.DOCKER_STANDIN_RECORD, JSON.stringify({ sub, args: rest }) + "\n");
  process.stdout.write(ids.map((i) => i + "\n").join(""));
  process.exit(0);
}
if (sub !== "exec") {
  process.stderr.write(`docker-standin: unsupported command ${sub}\n`);
  process.exit(125);
}
let user;
const extra = {};
let i = 0;
for (; i < rest.length; i++) {
  const a = rest[i];
  if (a === "-u") user = rest[++i];
  else if (a === "-e") {
    const kv = rest[++i];
    const eq = kv.indexOf("=");
    extra[kv.slice(0, eq)] = kv.slice(eq + 1);
  } else break;
}
const container = rest[i];
const cmd = rest.slice(i + 1);
if (process.env.DOCKER_STANDIN_RECORD) {
  appendFileSync(process.env.DOCKER_STANDIN_RECORD, JSON.stringify({ sub, user, env: extra, container, cmd }) + "\n");
}
const r = spawnSync(cmd[0], cmd.slice(1), { stdio: "inherit", env: { ...process.env, ...JSON.parse(process.env.DOCKER_STANDIN_CONTAINER_ENV || "{}"), ...extra } });
process.exit(r.status ?? 1);
