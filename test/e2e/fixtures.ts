/**
 * What a host looks like before openclaw-oauth-sync: an account with Claude Code's login and an
 * OpenClaw state dir (native), or the host side of the official Docker Compose setup. Token
 * values are fakes from test/helpers/tokens.ts and travel to the host on stdin only.
 */
import { fakeAccessToken, fakeCredentialsFile, fakeRefreshToken } from "../helpers/tokens";
import type { TestHost } from "./harness";

export interface Creds {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  json: string;
}

export function makeCreds(expiresInMs = 8 * 3600_000): Creds {
  const accessToken = fakeAccessToken();
  const refreshToken = fakeRefreshToken();
  const expiresAt = Date.now() + expiresInMs;
  return { accessToken, refreshToken, expiresAt, json: JSON.stringify(fakeCredentialsFile({ accessToken, refreshToken, expiresAt }), null, 2) };
}

/** The openclaw.json a 2026.4.6 onboarding leaves (meta + agents.defaults.model). */
export const OPENCLAW_JSON = `{
  // written by the e2e fixture; JSON5 like OpenClaw's own
  "meta": { "lastTouchedVersion": "2026.4.6", "lastTouchedAt": "2026-04-20T10:00:00.000Z" },
  "agents": {
    "defaults": {
      "model": { "primary": "anthropic/claude-opus-4-6" },
      "workspace": "~/.openclaw/workspace"
    }
  },
  "gateway": { "mode": "local", "port": 18789 }
}
`;

/**
 * Native install: account `user` (uid 1000) with ~/.claude/.credentials.json (0600) and
 * ~/.openclaw with the given agents and openclaw.json.
 */
export async function prepareNative(h: TestHost, o: { user: string; agents: string[]; creds: Creds; openclawJson?: string }): Promise<void> {
  const u = o.user;
  const home = `/home/${u}`;
  const agentDirs = o.agents.map((a) => `install -d -m 0700 -o ${u} -g ${u} ${home}/.openclaw/agents/${a} ${home}/.openclaw/agents/${a}/agent`).join(" && ");
  await h.sh(
    [
      `useradd -m -u 1000 -U -s /bin/bash ${u}`,
      `install -d -m 0700 -o ${u} -g ${u} ${home}/.claude ${home}/.openclaw ${home}/.openclaw/agents`,
      agentDirs,
      `install -m 0600 -o ${u} -g ${u} /dev/null ${home}/.openclaw/openclaw.json`,
    ].join(" && "),
  );
  await h.sh(`cat > ${home}/.openclaw/openclaw.json`, { stdin: o.openclawJson ?? OPENCLAW_JSON });
  await writeCredsAs(h, u, `${home}/.claude/.credentials.json`, o.creds);
}

/** Replaces the credentials file the way Claude Code does: temp file + rename, as its owner. */
export async function writeCredsAs(h: TestHost, user: string, path: string, creds: Creds): Promise<void> {
  await h.sh(`runuser -u ${user} -- sh -c 'umask 077; cat > "$1.tmp" && mv -f "$1.tmp" "$1"' sh ${path}`, { stdin: creds.json });
}

/** `stat -c '%U:%G %a'` of a path on the host. */
export async function ownerMode(h: TestHost, path: string): Promise<string> {
  return (await h.sh(`stat -c '%U:%G %a' ${path}`)).trim();
}
