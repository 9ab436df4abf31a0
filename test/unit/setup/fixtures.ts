/** Probe outputs (tools/setup/probe-script.ts) of typical hosts, as the script prints them. */
import { parseProbe, type Probe } from "../../../tools/setup/detect";

const T = "\t";

export const NATIVE_PROBE = [
  "probe=1",
  "login=root",
  `account=root${T}0${T}/root`,
  `account=claw${T}1000${T}/home/claw`,
  `stateDir=claw${T}/home/claw/.openclaw`,
  `creds=claw${T}/home/claw/.claude/.credentials.json${T}1000:1000:600${T}file`,
  `claude=claw${T}/home/claw/.local/bin/claude${T}2.1.3 (Claude Code)`,
  `openclaw=${T}/usr/local/bin/openclaw${T}2026.4.12`,
].join("\n");

export const DOCKER_PROBE = [
  "Welcome to a host with a chatty motd", // stray line: ignored
  "probe=1",
  "login=admin",
  `account=root${T}0${T}/root`,
  `account=admin${T}1000${T}/home/admin`,
  `stateDir=admin${T}/home/admin/.openclaw`,
  "docker=/usr/bin/docker",
  `container=openclaw-openclaw-gateway-1${T}ghcr.io/openclaw/openclaw:2026.9.6${T}openclaw-gateway${T}openclaw${T}/home/admin/openclaw`,
  `container=redis-1${T}redis:7${T}${T}${T}`,
  `mount=openclaw-openclaw-gateway-1${T}/home/admin/.openclaw${T}/home/node/.openclaw`,
  `mount=openclaw-openclaw-gateway-1${T}/home/admin/.openclaw/workspace${T}/home/node/.openclaw/workspace`,
  `mount=openclaw-openclaw-gateway-1${T}/srv/oc-home${T}/home/node`,
  `containerClaude=openclaw-openclaw-gateway-1${T}/home/node/.local/bin/claude${T}2.1.3 (Claude Code)`,
].join("\n");

export function probe(text: string): Probe {
  const r = parseProbe(text);
  if (!r.ok) throw new Error(r.message);
  return r.probe;
}
