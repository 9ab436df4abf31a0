/**
 * `npm run demo`: the main job end to end on this machine, with nothing but a fresh Debian 12 and
 * root. It installs what it needs (cached in ${OCS_CACHE:-/var/cache/openclaw-oauth-sync}, by the
 * same scripts CI uses), boots a throwaway Debian host with systemd (scripts/testhost.sh), puts a
 * real OpenClaw release on it and a Claude login with fake tokens, then runs the real `pulumi up`,
 * `status`, a hand edit, `pulumi preview` catching it and `pulumi up` repairing it.
 *
 * Nothing contacts Anthropic: the login is made up here, and no gateway or Claude CLI runs.
 * Everything the demo writes lives in ${TMPDIR:-/tmp}/ocs-demo (OCS_DEMO_DIR): a snapshot of the
 * Pulumi project (so no Pulumi.<stack>.yaml lands in the repository), the file backend, the
 * Pulumi home. `npm run demo -- --down` removes the host and that directory.
 *
 * A script, not a test: it lives beside the program, not in test/, and uses no test helpers;
 * test/demo/demo.test.ts runs it as a newcomer would and checks what it printed.
 */
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DemoError, elapsed, ok, run, say, setTotalSteps, step, stopChildren } from "./lib";

const REPO = resolve(__dirname, "..");
const CACHE = process.env.OCS_CACHE ?? "/var/cache/openclaw-oauth-sync";
const DIR = resolve(process.env.OCS_DEMO_DIR ?? join(process.env.TMPDIR ?? "/tmp", "ocs-demo"));
const HOST = process.env.OCS_DEMO_HOST ?? "demo";
const MARKER = join(DIR, ".ocs-demo");
const PROJECT = join(DIR, "project");
const STACK = "demo";
// The stack's secrets (the SSH key of the throwaway host) are encrypted with this. A demo value:
// for a real stack choose your own and keep it.
const PASSPHRASE = "ocs-demo-passphrase-not-secret";
// A JSON-era release (auth-profiles.json + auth-state.json): sync writes its files directly, so
// the demo does not wait for OpenClaw's CLI (5–20 s per call) the way the SQLite era's
// `paste-token` would. 352 MB, about a minute to install once. Compatibility of every era:
// docs/compatibility.md.
const OPENCLAW_VERSION = "2026.5.28";
const NODE_FOR_OPENCLAW = "24.21.0";
const USER = "claw";
const MODEL = "anthropic/claude-sonnet-4-6";
const HAND_EDIT_MODEL = "anthropic/claude-opus-4-6";
const SCRIPTS = join(REPO, "scripts");
const TESTHOST_DIR = join(process.env.TMPDIR ?? "/tmp", "ocs-testhost", HOST);
const MIN = 60_000;

const pulumiBin = join(CACHE, "pulumi-v3.259.0", "bin");

function pulumiEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${pulumiBin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    PULUMI_HOME: join(DIR, "pulumi-home"),
    PULUMI_BACKEND_URL: `file://${join(DIR, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    // The program's SSH control sockets go here, so --down can close them.
    TMPDIR: join(DIR, "t"),
    NODE_OPTIONS: "",
  };
}

// Pulumi's progress lines without a terminal: one "refreshing"/"refresh" line per resource and
// "@ updating...." heartbeats. Left out of what the demo prints (still captured).
const PULUMI_CHATTER = /^(\s*~\s+\S+ \S+ refresh(ing)?\s*|@ (previewing update|updating)\.*)$/;

const pulumi = (args: string[], what: string, timeoutMs = 10 * MIN, stream = true) =>
  run(["pulumi", ...args, "--stack", STACK], { what, timeoutMs, env: pulumiEnv(), cwd: PROJECT, stream, quiet: (l) => PULUMI_CHATTER.test(l) });

async function onHost(command: string, what: string, o: { stdin?: string; stream?: boolean } = {}) {
  return ok(["ssh", "-F", join(TESTHOST_DIR, "ssh_config"), HOST, "--", command], { what, timeoutMs: 2 * MIN, stream: o.stream ?? true, ...(o.stdin !== undefined ? { stdin: o.stdin } : {}) });
}

function hostEnv(): Record<string, string> {
  return Object.fromEntries(
    readFileSync(join(TESTHOST_DIR, "env"), "utf8")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

/** Stops the SSH masters the program left (ControlPersist), via their control sockets. */
async function closeMasters(): Promise<void> {
  const dir = join(DIR, "t", `ocs-ssh-${process.getuid?.() ?? 0}`);
  if (!existsSync(dir)) return;
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isSocket()) await run(["ssh", "-o", `ControlPath=${p}`, "-O", "exit", "demo-master"], { what: "closing an SSH master", timeoutMs: 5000, stream: false }).catch(() => undefined);
  }
}

async function down(): Promise<void> {
  await closeMasters();
  await ok(["bash", join(SCRIPTS, "testhost.sh"), "down", HOST], { what: `testhost.sh down ${HOST}`, timeoutMs: 2 * MIN, stream: false });
  if (existsSync(DIR)) {
    if (!existsSync(MARKER)) throw new DemoError(`${DIR} exists but was not made by the demo (no ${MARKER}); not removing it`);
    rmSync(DIR, { recursive: true, force: true });
  }
}

/** The project as it is now, in the demo dir: Pulumi writes Pulumi.demo.yaml there, not in the repository. */
function snapshotProject(): void {
  mkdirSync(PROJECT, { recursive: true });
  for (const d of ["infra", "tools", "templates", join("runtime", "src")]) cpSync(join(REPO, d), join(PROJECT, d), { recursive: true });
  for (const f of ["Pulumi.yaml", "package.json", "tsconfig.json"]) cpSync(join(REPO, f), join(PROJECT, f));
  symlinkSync(join(REPO, "node_modules"), join(PROJECT, "node_modules"));
}

/** What Claude Code writes after `/login`, with made-up tokens (same shape, valid nowhere). */
function fakeClaudeLogin(): string {
  const now = Date.now();
  return `${JSON.stringify(
    {
      claudeAiOauth: {
        accessToken: `sk-ant-oat01-${randomBytes(60).toString("base64url")}AA`,
        refreshToken: `sk-ant-ort01-${randomBytes(60).toString("base64url")}AA`,
        expiresAt: now + 8 * 3600_000,
        refreshTokenExpiresAt: now + 30 * 86_400_000,
        scopes: ["user:inference", "user:profile", "user:sessions:claude_code"],
        subscriptionType: "max",
        rateLimitTier: "default_claude_max_20x",
      },
    },
    null,
    2,
  )}\n`;
}

async function demo(): Promise<void> {
  setTotalSteps(13);

  step("Checking this machine");
  if (process.getuid?.() !== 0) throw new DemoError("run it as root: it boots a systemd-nspawn host in its own network namespace");
  if (!existsSync("/etc/debian_version")) throw new DemoError("this demo needs Debian 12 (apt, debootstrap, systemd-nspawn)");
  if (existsSync(DIR) && !existsSync(MARKER)) throw new DemoError(`${DIR} exists but was not made by the demo; move it away or set OCS_DEMO_DIR`);
  mkdirSync(DIR, { recursive: true, mode: 0o700 });
  writeFileSync(MARKER, "made by npm run demo; removed by npm run demo -- --down\n");
  say(`Debian ${readFileSync("/etc/debian_version", "utf8").trim()}, Node ${process.version}, demo dir ${DIR}, cache ${CACHE}`);

  step("Pulumi CLI and the throwaway-host image (cached; the first time ~25 min, then instant)");
  say("The Pulumi CLI is built from the Go module proxy (scripts/ensure-pulumi-cli.sh) while the Debian");
  say("host image is made with debootstrap (scripts/testhost.sh image), in parallel.");
  const progressOnly = (l: string) => !/^\[(ensure-pulumi-cli|testhost)\]/.test(l);
  const [cli] = await Promise.all([
    ok(["bash", join(SCRIPTS, "ensure-pulumi-cli.sh")], { what: "building the Pulumi CLI (scripts/ensure-pulumi-cli.sh)", timeoutMs: 120 * MIN, quiet: progressOnly }),
    ok(["bash", join(SCRIPTS, "testhost.sh"), "image"], { what: "the host image (scripts/testhost.sh image)", timeoutMs: 60 * MIN, quiet: progressOnly }),
  ]);
  const bin = cli.stdout.trim().split("\n").pop();
  if (bin !== pulumiBin) throw new DemoError(`scripts/ensure-pulumi-cli.sh printed ${bin}, expected ${pulumiBin}`);
  await ok(["pulumi", "version"], { what: "pulumi version", timeoutMs: MIN, env: pulumiEnv() });

  step(`OpenClaw ${OPENCLAW_VERSION} from the npm registry, and the Node ${NODE_FOR_OPENCLAW} it runs on (cached)`);
  const node24 = (await ok(["bash", join(SCRIPTS, "ensure-node.sh"), NODE_FOR_OPENCLAW], { what: "scripts/ensure-node.sh", timeoutMs: 20 * MIN })).stdout.trim().split("\n").pop()!;
  const release = (await ok(["bash", join(SCRIPTS, "ensure-openclaw.sh"), OPENCLAW_VERSION], { what: "scripts/ensure-openclaw.sh", timeoutMs: 30 * MIN })).stdout.trim().split("\n").pop()!;
  say(`${release} (OpenClaw), ${node24}`);

  step("A fresh demo directory: the Pulumi project, a local file backend, the runtime bundle");
  await closeMasters();
  await ok(["bash", join(SCRIPTS, "testhost.sh"), "down", HOST], { what: "removing an earlier demo host", timeoutMs: 2 * MIN, stream: false });
  rmSync(DIR, { recursive: true, force: true });
  for (const d of [DIR, join(DIR, "state"), join(DIR, "pulumi-home"), join(DIR, "t")]) mkdirSync(d, { recursive: true, mode: 0o700 });
  writeFileSync(MARKER, "made by npm run demo; removed by npm run demo -- --down\n");
  snapshotProject();
  await ok([process.execPath, join(SCRIPTS, "build-runtime.mjs")], { what: "building the runtime bundle", timeoutMs: 5 * MIN, cwd: PROJECT });
  say(`project ${PROJECT}; state file://${join(DIR, "state")}; secrets: passphrase "${PASSPHRASE}" (demo only)`);

  step(`Booting a throwaway Debian 12 host with systemd: "${HOST}" (systemd-nspawn, own network namespace)`);
  const nodeDir = resolve(node24, "..", "..");
  await ok(["bash", join(SCRIPTS, "testhost.sh"), "up", HOST, `--bind-ro=${release}:/opt/openclaw-release`, `--bind-ro=${nodeDir}:/opt/node24`], {
    what: `scripts/testhost.sh up ${HOST}`,
    timeoutMs: 3 * MIN,
  });
  const h = hostEnv();

  step(`Preparing the host like a gateway: account ${USER}, OpenClaw ${OPENCLAW_VERSION}, a Claude login`);
  // The release is installed like `npm install -g --prefix /opt/openclaw openclaw`, with a launcher
  // that runs it on Node 24 (OpenClaw's requirement); Debian's Node 18 stays for our runtime.
  await onHost(
    [
      "set -e",
      `useradd -m -u 1000 -U -s /bin/bash ${USER}`,
      "mkdir -p /opt/openclaw/lib/node_modules /opt/openclaw/bin",
      "ln -s /opt/openclaw-release/node_modules/openclaw /opt/openclaw/lib/node_modules/openclaw",
      `printf '#!/bin/sh\\nexec /opt/node24/bin/node /opt/openclaw/lib/node_modules/openclaw/openclaw.mjs "$@"\\n' > /opt/openclaw/bin/openclaw`,
      "chmod 0755 /opt/openclaw/bin/openclaw && ln -s /opt/openclaw/bin/openclaw /usr/local/bin/openclaw",
      `runuser -u ${USER} -- sh -c 'cd && openclaw --version && openclaw setup >/dev/null && echo "openclaw setup: wrote ~/.openclaw/openclaw.json"'`,
      // OpenClaw makes an agent's dir at its first run; no agent runs here, so make main's.
      `install -d -m 0700 -o ${USER} -g ${USER} /home/${USER}/.openclaw/agents/main/agent /home/${USER}/.claude`,
    ].join("\n"),
    "preparing the host",
  );
  const login = fakeClaudeLogin();
  writeFileSync(join(DIR, "fake-claude-login.json"), login, { mode: 0o600 });
  await onHost(`runuser -u ${USER} -- sh -c 'umask 077; cat > ~/.claude/.credentials.json'`, "writing the Claude login", { stdin: login });
  say(`~${USER}/.claude/.credentials.json: a Claude login with FAKE tokens made by this demo (kept in`);
  say(`${join(DIR, "fake-claude-login.json")}). Nothing here contacts Anthropic, and no gateway runs.`);

  step("npm run setup: detect the host over SSH and write the stack (as you would for a real host)");
  await ok(
    [
      process.execPath,
      "--import",
      "tsx",
      join(PROJECT, "tools", "setup", "main.ts"),
      `root@${h.HOST}`,
      "--ssh-key",
      h.KEY!,
      "--host-key",
      readFileSync(join(TESTHOST_DIR, "ssh_host_ed25519_key.pub"), "utf8").trim().split(" ").slice(0, 2).join(" "),
      "--stack",
      STACK,
      // No gateway runs in the demo, so there is nothing to reload; keep the default on real hosts.
      "--set",
      "reloadAction=none",
      "--set",
      `model=${JSON.stringify({ primary: MODEL })}`,
      "--project-dir",
      PROJECT,
      "--yes",
    ],
    { what: "npm run setup", timeoutMs: 5 * MIN, env: pulumiEnv(), cwd: PROJECT },
  );

  step("pulumi up: install the runtime, its config, the units and the model config; first sync");
  const up = await pulumi(["up", "--yes", "--skip-preview"], "pulumi up");
  if (up.code !== 0) throw new DemoError("pulumi up failed (its output is above)");
  if (/Undefined value/.test(up.output)) throw new DemoError("pulumi up warned about undefined stack outputs");

  step("pulumi preview: nothing was touched on the host, so the drift audit finds nothing");
  const clean = await pulumi(["preview", "--expect-no-changes"], "pulumi preview");
  if (clean.code !== 0) throw new DemoError("the preview right after pulumi up was not clean (its output is above)");
  // Changed stack outputs do not fail --expect-no-changes, but they read as trouble: none here.
  if (/^\s*Outputs:/m.test(clean.output)) throw new DemoError("the preview right after pulumi up shows changed stack outputs (above)");

  step("openclaw-oauth-sync status, on the host");
  await onHost("openclaw-oauth-sync status", "openclaw-oauth-sync status");

  step(`A hand edit: the primary model in openclaw.json → ${HAND_EDIT_MODEL}, and the watcher stopped`);
  await onHost(
    [
      "set -e",
      `sed -i 's#"${MODEL}"#"${HAND_EDIT_MODEL}"#' /home/${USER}/.openclaw/openclaw.json`,
      `grep -o '"primary": *"[^"]*"' /home/${USER}/.openclaw/openclaw.json`,
      "systemctl stop openclaw-oauth-sync-watch.service",
      "echo \"openclaw-oauth-sync-watch.service: $(systemctl is-active openclaw-oauth-sync-watch.service || true)\"",
    ].join("\n"),
    "the hand edit",
  );

  step("pulumi preview catches it (Pulumi.yaml sets refresh: always: every managed thing is read back)");
  const drift = await pulumi(["preview"], "pulumi preview");
  if (drift.code !== 0) throw new DemoError("pulumi preview failed (its output is above)");
  for (const name of [`${STACK}-openclaw-json`, `${STACK}-state-openclaw-oauth-sync-watch.service`]) {
    if (!new RegExp(`${name.replace(/\./g, "\\.")} update\\b`).test(drift.output)) throw new DemoError(`the preview did not show ${name} as an update`);
  }
  say("~ values: the primary model differs from the stack's; ~ active: the watcher is not running");

  step("pulumi up repairs it; a last preview is clean again");
  const repair = await pulumi(["up", "--yes", "--skip-preview"], "pulumi up");
  if (repair.code !== 0) throw new DemoError("pulumi up failed (its output is above)");
  await onHost(
    [
      "set -e",
      `grep -o '"primary": *"[^"]*"' /home/${USER}/.openclaw/openclaw.json`,
      "echo \"openclaw-oauth-sync-watch.service: $(systemctl is-active openclaw-oauth-sync-watch.service)\"",
    ].join("\n"),
    "checking the repair",
  );
  const after = await pulumi(["preview", "--expect-no-changes"], "pulumi preview", 10 * MIN, false);
  if (after.code !== 0) throw new DemoError(`the preview after the repair was not clean:\n${after.output}`);
  say("pulumi preview --expect-no-changes: no changes");
  await closeMasters();

  console.log(`
Demo complete in ${elapsed()}: pulumi up installed, pulumi preview caught a hand edit, pulumi up repaired it.
No token value was printed, and none is in the Pulumi state (the login above is fake anyway).

Look around (same environment as the demo):
  ssh -F ${join(TESTHOST_DIR, "ssh_config")} ${HOST}          # the host: systemctl status 'openclaw-oauth-sync*'
  cd ${PROJECT} && export PULUMI_BACKEND_URL=file://${join(DIR, "state")} PULUMI_CONFIG_PASSPHRASE=${PASSPHRASE} PATH=${pulumiBin}:$PATH
  pulumi stack output --stack ${STACK}                    # tokenExpiresAt, loginExpiresAt, storageEra, units …

The same on a real host (from this checkout; host with systemd, Node >= 18, OpenClaw, a Claude login):
  export PATH=${pulumiBin}:$PATH PULUMI_CONFIG_PASSPHRASE='choose-and-keep-one'
  pulumi login --local
  npm run setup -- root@gw1.example.net     # detects the host, writes stack gw1-example-net
  pulumi up --stack gw1-example-net         # then: pulumi preview (drift audit), pulumi destroy
  (README.md, "Everyday use"; every stack key: docs/stack-config.md)

Clean up: npm run demo -- --down          # removes the host "${HOST}" and ${DIR}
`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== "--down");
  if (unknown.length > 0) {
    console.error(`usage: npm run demo [-- --down]   (unknown: ${unknown.join(" ")})`);
    process.exit(2);
  }
  const stop = (sig: string) => {
    stopChildren();
    console.error(`\n[demo] interrupted (${sig}); clean up with: npm run demo -- --down`);
    process.exit(130);
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  try {
    if (args.includes("--down")) {
      await down();
      console.log(`[demo] removed the host "${HOST}" and ${DIR}`);
      return;
    }
    await demo();
  } catch (e) {
    const msg = e instanceof DemoError ? e.message : (e as Error).stack ?? String(e);
    console.error(`\n[demo] FAILED after ${elapsed()}: ${msg}`);
    console.error(`[demo] the host and ${DIR} are left for a look; remove them with: npm run demo -- --down`);
    process.exitCode = 1;
  }
}

void main();
