/**
 * The one remote script that gathers a host's facts (one SSH round trip, in preview too).
 * Pure: builds the script text. Inputs are paths and names from the stack config, never secrets,
 * and are single-quoted into the text. Output: one `key=value` line per fact, read by
 * interpret.ts. Every probe is best-effort (`|| true`): a fact that cannot be read is absent, and
 * the interpretation decides whether that is fatal.
 */
import { shq } from "../shell";
import { IN_SYNC_STATES } from "../plan/targets";

export interface FactsRequest {
  /** Account that owns OpenClaw's state dir; empty = the SSH login account. */
  account?: string | undefined;
  /** Account that logs in to Claude; empty = `account`. */
  claudeAccount?: string | undefined;
  /** OpenClaw's state dir; empty = ~account/.openclaw. */
  openclawStateDir?: string | undefined;
  configPath?: string | undefined;
  claudeCredentials?: string | undefined;
  nodePath?: string | undefined;
  mode: "host" | "docker";
  dockerContainer?: string | undefined;
  dockerComposeService: string;
  dockerComposeProject?: string | undefined;
  installPrefix: string;
  /** The installed runtime config (default /etc/openclaw-oauth-sync/config.json). */
  runtimeConfigFile?: string | undefined;
}

export const FACTS_FORMAT = "1";

/** Builds the facts script for one host. */
export function factsScript(r: FactsRequest): string {
  const v = (name: string, value: string | undefined) => `${name}=${shq(value ?? "")}`;
  return [
    "#!/bin/sh",
    "# openclaw-oauth-sync: read-only facts about this host (one key=value per line)",
    "set -u",
    "export LC_ALL=C",
    v("ACCOUNT", r.account),
    v("CLAUDE_ACCOUNT", r.claudeAccount),
    v("STATE_DIR", r.openclawStateDir),
    v("CONFIG_PATH", r.configPath),
    v("CREDS", r.claudeCredentials),
    v("NODE", r.nodePath),
    v("MODE", r.mode),
    v("DOCKER_CONTAINER", r.dockerContainer),
    v("COMPOSE_SERVICE", r.dockerComposeService),
    v("COMPOSE_PROJECT", r.dockerComposeProject),
    v("PREFIX", r.installPrefix),
    v("RUNTIME_CONFIG", r.runtimeConfigFile ?? "/etc/openclaw-oauth-sync/config.json"),
    BODY,
  ].join("\n");
}

// Kept as one literal so that it reads as the shell it is. `p` prints one fact; `kind` classifies
// a path without following a final symlink; `tmo` bounds anything that may hang (docker, openclaw).
const BODY = String.raw`
p() { printf '%s=%s\n' "$1" "$2"; }
kind() {
  if [ -L "$1" ]; then echo symlink
  elif [ -d "$1" ]; then echo dir
  elif [ -f "$1" ]; then echo file
  elif [ -e "$1" ]; then echo other
  else echo missing; fi
}
tab="$(printf '\t')"
tmo() { if command -v timeout >/dev/null 2>&1; then timeout "\${TMO:-10}" "$@"; else "$@"; fi; }
pwfield() { getent passwd "$1" 2>/dev/null | cut -d: -f"$2"; }
p format 1
if [ -r /etc/os-release ]; then
  p os.id "$( . /etc/os-release; printf %s "\${ID:-}")"
  p os.versionId "$( . /etc/os-release; printf %s "\${VERSION_ID:-}")"
  p os.prettyName "$( . /etc/os-release; printf %s "\${PRETTY_NAME:-}")"
fi
p kernel "$(uname -sr 2>/dev/null || true)"
p pid1 "$(cat /proc/1/comm 2>/dev/null || true)"
p systemctl "$(command -v systemctl 2>/dev/null || true)"
# Run through sudo when the SSH account has it: the login account is then $SUDO_USER.
login="\${SUDO_USER:-$(id -un)}"
p login.user "$login"
p login.uid "$(id -u "$login" 2>/dev/null || id -u)"
if [ -n "\${SUDO_USER:-}" ]; then p sudo passwordless
elif [ "$(id -u)" = 0 ]; then p sudo root
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then p sudo passwordless
else p sudo no; fi
acct="\${ACCOUNT:-$login}"
p account.name "$acct"
p account.uid "$(pwfield "$acct" 3)"
p account.gid "$(pwfield "$acct" 4)"
p account.home "$(pwfield "$acct" 6)"
cacct="\${CLAUDE_ACCOUNT:-$acct}"
p claudeAccount.name "$cacct"
p claudeAccount.uid "$(pwfield "$cacct" 3)"
p claudeAccount.gid "$(pwfield "$cacct" 4)"
chome="$(pwfield "$cacct" 6)"
p claudeAccount.home "$chome"
home="$(pwfield "$acct" 6)"
state="\${STATE_DIR:-\${home:-/nonexistent}/.openclaw}"
p stateDir.path "$state"
p stateDir.kind "$(kind "$state")"
p stateDir.owner "$(stat -c %u:%g "$state" 2>/dev/null || true)"
config="\${CONFIG_PATH:-$state/openclaw.json}"
p config.path "$config"
p config.kind "$(kind "$config")"
creds="\${CREDS:-\${chome:-/nonexistent}/.claude/.credentials.json}"
p creds.path "$creds"
p creds.kind "$(kind "$creds")"
p creds.stat "$(stat -L -c %u:%g:%a "$creds" 2>/dev/null || true)"
p creds.dirKind "$(kind "$(dirname "$creds")")"
[ -e "$state/state/openclaw.sqlite" ] && p sharedSqlite yes
if [ -d "$state/agents" ]; then
  for d in "$state"/agents/*/agent; do
    [ -d "$d" ] || continue
    id="$(basename "$(dirname "$d")")"
    p agent "$id"
    for f in openclaw-agent.sqlite auth-state.json auth-profiles.json; do
      [ -e "$d/$f" ] && p agent.file "$id/$f"
    done
  done
fi
node="$NODE"
if [ -z "$node" ]; then
  for c in "$(command -v node 2>/dev/null || true)" /usr/bin/node /usr/local/bin/node /usr/bin/nodejs; do
    if [ -n "$c" ] && [ -x "$c" ]; then node="$c"; break; fi
  done
fi
bundle="$PREFIX/lib/openclaw-oauth-sync/openclaw-oauth-sync.cjs"
# Token health as of now, from the installed runtime: only the expiry times and the state word are
# printed (never the token); absent before the first install. The login's own deadline
# (claudeAiOauth.refreshTokenExpiresAt) is "none" when the credentials file does not record one.
# The runtime's start-up is the slowest probe here, so it runs in the background while the other
# probes run; its JSON is read at the end by the one small node process that also reads the
# config's shape (one round trip, two node starts on the host).
status_json=""
if [ -f "$bundle" ] && [ -f "$RUNTIME_CONFIG" ] && [ -n "$node" ]; then
  status_json="$(mktemp 2>/dev/null || echo "/tmp/ocs-facts-status.$$")"
  # Its verdict on the targets is TargetsInSync's input: no report reads as drift, so it gets far
  # longer than the other probes (a loaded host, a slow docker exec), within the script's 60 s.
  ( TMO=45 tmo "$node" "$bundle" --config "$RUNTIME_CONFIG" status --json > "$status_json" 2>/dev/null || true ) &
  status_pid=$!
fi
if [ -n "$node" ]; then
  p node.path "$node"
  p node.kind "$(kind "$node")"
  p node.version "$("$node" --version 2>/dev/null || true)"
fi
config_shape=""
openclaw_dir=""
if [ -f "$config" ]; then
  p config.lastTouchedVersion "$(grep -o '"lastTouchedVersion"[[:space:]]*:[[:space:]]*"[^"]*"' "$config" 2>/dev/null | head -n 1 | sed 's/.*"\([^"]*\)"$/\1/' || true)"
  config_shape=yes
fi
if [ "$MODE" = host ]; then
  oc="$(command -v openclaw 2>/dev/null || true)"
  if [ -n "$oc" ]; then
    p openclaw.path "$oc"
    real="$(readlink -f "$oc" 2>/dev/null || true)"
    dir="$(dirname "$real")"
    openclaw_dir="$dir"
    for pj in "$dir/package.json" "$dir/../package.json" "$dir/../lib/node_modules/openclaw/package.json"; do
      if [ -f "$pj" ] && grep -q '"name"[[:space:]]*:[[:space:]]*"openclaw"' "$pj" 2>/dev/null; then
        p openclaw.version "$(sed -n 's/^[[:space:]]*"version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$pj" | head -n 1)"
        p openclaw.versionSource package.json
        break
      fi
    done
  fi
else
  if command -v docker >/dev/null 2>&1; then
    p docker.cli "$(command -v docker)"
    if [ -n "$DOCKER_CONTAINER" ]; then
      set -- --filter "name=^/$DOCKER_CONTAINER\$"
    elif [ -n "$COMPOSE_PROJECT" ]; then
      set -- --filter "label=com.docker.compose.service=$COMPOSE_SERVICE" --filter "label=com.docker.compose.project=$COMPOSE_PROJECT"
    else
      set -- --filter "label=com.docker.compose.service=$COMPOSE_SERVICE"
    fi
    tmo docker ps "$@" --format '{{.Names}}\t{{.Label "com.docker.compose.project"}}\t{{.Label "com.docker.compose.project.working_dir"}}' 2>/dev/null | while IFS="$tab" read -r n proj wd; do
      p container "$n"
      p container.project "$proj"
      p container.workingDir "$wd"
    done
    first="$(tmo docker ps "$@" --format '{{.Names}}' 2>/dev/null | head -n 1)"
    if [ -n "$first" ]; then
      p openclaw.version "$(tmo docker exec "$first" sh -c 'cat /app/package.json 2>/dev/null || cat package.json' 2>/dev/null | sed -n 's/^[[:space:]]*"version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' | head -n 1)"
      p openclaw.versionSource container
    fi
  else
    p docker.cli ""
  fi
fi
for u in /etc/systemd/system/openclaw-oauth-sync-*; do
  [ -e "$u" ] && p unit "$(basename "$u")"
done
p bundle.kind "$(kind "$bundle")"
[ -n "$status_json" ] && { wait "$status_pid" 2>/dev/null || true; }
if [ -n "$node" ] && [ -x "$node" ] && { [ -n "$config_shape" ] || [ -n "$status_json" ]; }; then
  # (1) Only the shape OpenClaw's model keys live in: which agents are listed, and whether a custom
  # anthropic provider exists (and with a /v1 base URL, the known 404 cause). No values.
  # (2) From the runtime's status: only the expiry times and the state word.
  "$node" -e '
    const fs = require("fs");
    const [configPath, statusPath, openclawDir] = process.argv.slice(1);
    // (3) Agents with their own agentDir (ids and dirs only): the units must be allowed to write there.
    const declaredAgents = (c) => {
      const a = (c && c.agents) || {};
      const dirOf = (e) => (e && typeof e === "object" && typeof e.agentDir === "string" ? { agentDir: e.agentDir } : {});
      const d = {
        list: Array.isArray(a.list) ? a.list.map((e) => ({ id: e && e.id, ...dirOf(e) })) : [],
        entries: a.entries && typeof a.entries === "object" ? Object.fromEntries(Object.entries(a.entries).map(([k, e]) => [k, dirOf(e)])) : {},
      };
      if (d.list.some((e) => e.agentDir) || Object.values(d.entries).some((e) => e.agentDir)) console.log("config.agentsDeclared=" + JSON.stringify(d).replace(/[\r\n]/g, " "));
    };
    if (configPath) {
      let c, text = "", ok = true;
      try { text = fs.readFileSync(configPath, "utf8"); c = JSON.parse(text); } catch { ok = false; }
      if (!ok) {
        console.log("config.parse=json5");
        // A JSON5 file: read with the json5 that OpenClaw itself ships, when it is installed here.
        try { declaredAgents(require(require.resolve("json5", { paths: [openclawDir] })).parse(text)); } catch {}
      } else {
        console.log("config.parse=json");
        const a = (c && c.agents) || {};
        if (Array.isArray(a.list)) a.list.forEach((x, i) => console.log("config.agentsList=" + i + ":" + (x && x.id)));
        if (a.entries && typeof a.entries === "object") console.log("config.agentsEntries=yes");
        declaredAgents(c);
        const p = c && c.models && c.models.providers && c.models.providers.anthropic;
        if (p) console.log("config.anthropicProvider=" + (/\/v1\/?$/.test(String(p.baseUrl || "")) ? "broken" : "present"));
      }
    }
    if (statusPath) {
      let j; try { j = JSON.parse(fs.readFileSync(statusPath, "utf8")); } catch { j = undefined; }
      if (j !== undefined) {
        const exp = j && j.credentials && j.credentials.expiresAt;
        if (typeof exp === "number") console.log("status.expiresAt=" + Math.trunc(exp));
        const login = j && j.credentials && j.credentials.refreshTokenExpiresAt;
        console.log("status.loginExpiresAt=" + (typeof login === "number" ? Math.trunc(login) : "none"));
        const level = j && j.check && j.check.level;
        if (typeof level === "string") console.log("status.state=" + level.replace(/[^A-Za-z-]/g, "").slice(0, 32));
      }
      // (4) The verdict of the runtime per target (states only, never a value): what TargetsInSync audits.
      const line = (v) => String(v).replace(/[\r\n]+/g, " ").slice(0, 200);
      if (j && Array.isArray(j.targets)) {
        console.log("status.targets=reported");
        for (const t of j.targets) {
          if (t && typeof t.target === "string" && typeof t.state === "string" && !${JSON.stringify(IN_SYNC_STATES)}.includes(t.state)) console.log("status.outOfSync=" + line(t.target) + ": " + line(t.state));
        }
        if (typeof j.targetsError === "string") console.log("status.outOfSync=targets: cannot inspect (" + line(j.targetsError).slice(0, 160) + ")");
      } else console.log("status.targets=unreadable");
    }
  ' "\${config_shape:+$config}" "$status_json" "\${openclaw_dir:-/nonexistent}" 2>/dev/null || true
fi
[ -n "$status_json" ] && rm -f "$status_json"
exit 0
`.replace(/\\\$\{/g, "${"); // String.raw keeps "\${" (written so to avoid JS interpolation): make it "${"

