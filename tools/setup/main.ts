/**
 * `npm run setup -- <[user@]host[:port]> [options]`: detect a host over SSH and create or update
 * its Pulumi stack. The only module of setup with process-level effects (argv, prompts, exit
 * codes); the decisions are in detect.ts / plan.ts, the effects in remote.ts / stack.ts.
 */
import { readFileSync } from "node:fs";
import type { HostRef } from "../../infra/contracts";
import { UsageError } from "../cli/args";
import { isInteractive, terminalPrompter, type Prompter } from "../cli/prompt";
import { PROJECT_ROOT, preparePulumi } from "../cli/pulumi";
import { closeAll } from "../../infra/ssh/transport";
import { parseSetupArgs, SETUP_USAGE, type SetupOptions } from "./args";
import { propose, type Probe, type Proposal } from "./detect";
import { diffConfig, preInstallFindings, renderReport, stackValues, validateValues } from "./plan";
import { detectHost } from "./remote";
import { readStack, writeStack } from "./stack";

export const EXIT = { ok: 0, failed: 1, usage: 2, notWritten: 3 } as const;

export interface SetupIo {
  out: (s: string) => void;
  err: (s: string) => void;
  prompter?: Prompter | undefined;
  env?: NodeJS.ProcessEnv;
}

/** Lets the operator confirm or change the detected choices, then re-proposes with them. */
async function refineInteractively(pr: Prompter, o: SetupOptions, probe: Probe, p: Proposal, io: SetupIo): Promise<Proposal> {
  const choices = { ...o.choices };
  if (!choices.mode) choices.mode = await pr.choose(`Where does OpenClaw run? (${p.mode.why})`, ["host", "docker"] as const, p.mode.value);
  let q = choices.mode === p.mode.value ? p : propose(probe, choices);
  if (!choices.stateDir && !choices.account) {
    const alts = q.stateDir.alternatives ?? [];
    if (alts.length > 1) io.out(`OpenClaw state dirs on this host: ${alts.join(", ")}\n`);
    const def = q.stateDir.value ?? probe.accounts.find((a) => a.name === q.account.value)?.home?.replace(/\/+$/, "").concat("/.openclaw");
    const v = await pr.ask("OpenClaw state dir on the host", def, { validate: (x) => (x.startsWith("/") ? undefined : "an absolute path, please") });
    if (v !== def) choices.stateDir = v;
    q = propose(probe, choices);
  }
  if (q.mode.value === "docker" && !choices.refreshOn) {
    choices.refreshOn = await pr.choose(`Where should the Claude CLI run for renewals? (${q.refreshOn.why})`, ["host", "container"] as const, q.refreshOn.value);
    q = propose(probe, choices);
  }
  if (!choices.claudeCredentials) {
    const acct = probe.accounts.find((a) => a.name === q.claudeAccount.value);
    const def = q.claudeCredentials.value ?? (acct ? `${acct.home.replace(/\/+$/, "")}/.claude/.credentials.json` : undefined);
    const v = await pr.ask("Claude Code's credentials file on the host", def, { validate: (x) => (x.startsWith("/") ? undefined : "an absolute path, please") });
    if (v !== def) {
      choices.claudeCredentials = v;
      q = propose(probe, choices);
    }
  }
  return q;
}

export async function runSetup(argv: readonly string[], io: SetupIo): Promise<number> {
  const env = io.env ?? process.env;
  const parsed = parseSetupArgs(argv);
  if (parsed.help) {
    io.out(`${SETUP_USAGE}\n`);
    return EXIT.ok;
  }
  const o = parsed.options;
  const projectDir = o.projectDir ?? PROJECT_ROOT;
  const interactive = !o.yes && io.prompter !== undefined;

  let privateKey: string | undefined;
  if (o.sshKeyFile) {
    try {
      // `pulumi config set` drops the final newline of a value read from stdin: store it without,
      // so that a re-run compares equal (the transport adds it back when writing the key file).
      privateKey = readFileSync(o.sshKeyFile, "utf8").replace(/\s+$/, "");
    } catch (e) {
      throw new UsageError(`setup: --ssh-key ${o.sshKeyFile}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKey)) throw new UsageError(`setup: --ssh-key ${o.sshKeyFile}: not a private key file (no "BEGIN … PRIVATE KEY" line)`);
  }
  const installPrefix = o.extra.installPrefix ?? "/usr/local";
  const ref: HostRef = {
    host: o.target.host,
    ...(o.target.port !== undefined ? { port: o.target.port } : {}),
    ...(o.target.user !== undefined ? { user: o.target.user } : {}),
    ...(o.sshHostKey ? { hostKey: o.sshHostKey } : {}),
    ...(o.sshConfigFile ? { sshConfigFile: o.sshConfigFile } : {}),
    ...(privateKey ? { privateKey } : {}),
    connectTimeoutSeconds: o.connectTimeout ?? 10,
  };

  // The CLI is checked before connecting: without it nothing can be written anyway.
  const pulumi = await preparePulumi(projectDir, env);
  io.err(`setup: connecting to ${o.target.host} …\n`);
  const det = await detectHost(ref, o.choices, {
    configPath: o.configPath,
    installPrefix,
    ...(interactive ? { refine: (probe, p) => refineInteractively(io.prompter!, o, probe, p, io) } : {}),
  });

  let removeBroken = o.removeBrokenProvider;
  if (interactive && !removeBroken && det.facts.config.anthropicProvider === "broken") {
    removeBroken = await io.prompter!.confirm(`${det.facts.config.path} has a broken models.providers.anthropic (/v1 base URL). Remove it (restored on destroy)?`, true);
  }
  const values = stackValues({
    target: o.target,
    ssh: { sshConfigFile: o.sshConfigFile, sshHostKey: o.sshHostKey, sshConnectTimeoutSeconds: o.connectTimeout, sshPrivateKey: privateKey },
    proposal: det.proposal,
    facts: det.facts,
    configPath: o.configPath,
    nodePath: o.choices.nodePath,
    removeBrokenAnthropicProvider: removeBroken,
    extra: o.extra,
  });
  const invalid = validateValues(values);
  if (invalid) throw new UsageError(`setup: the resulting stack config is not valid:\n${invalid}`);

  const { ws, state } = await readStack(projectDir, o.stack, pulumi);
  const changes = diffConfig(state.config, values);
  const findings = preInstallFindings(det.facts, det.proposal, o.target.host, o.choices.nodePath !== undefined);
  io.out(
    `${renderReport({ stack: o.stack, backend: pulumi.backend, stackExists: state.exists, target: o.target, facts: det.facts, proposal: det.proposal, findings, doctor: det.doctor, changes })}\n`,
  );
  const pending = changes.filter((c) => c.kind !== "same").length;
  if (pending === 0 && state.exists) return EXIT.ok;
  if (o.dryRun) {
    io.out("--dry-run: nothing written.\n");
    return EXIT.notWritten;
  }
  if (!o.yes) {
    if (!interactive) {
      io.out("Not written: no terminal to confirm on; re-run with --yes to write the stack.\n");
      return EXIT.notWritten;
    }
    if (!(await io.prompter!.confirm(`Write stack "${o.stack}"?`, true))) {
      io.out("Not written.\n");
      return EXIT.notWritten;
    }
  }
  const n = await writeStack(ws, projectDir, o.stack, state.exists, changes, pulumi);
  io.out(`Stack "${o.stack}": ${state.exists ? "updated" : "created"}, ${n} key${n === 1 ? "" : "s"} written.\n`);
  const blocking = findings.filter((f) => f.level === "error" && f.id === "host-refused").length;
  io.out(blocking ? `Fix the problems marked ✖ above, then: pulumi up --stack ${o.stack}\n` : `Next: npm run build && pulumi up --stack ${o.stack}   (or: npm run fleet -- up --stacks ${o.stack})\n`);
  return EXIT.ok;
}

async function main(): Promise<void> {
  const interactive = isInteractive() && !process.argv.includes("--yes");
  const prompter = interactive ? terminalPrompter() : undefined;
  let code: number = EXIT.failed;
  try {
    code = await runSetup(process.argv.slice(2), { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), prompter });
  } catch (e) {
    const usage = e instanceof UsageError;
    process.stderr.write(`${usage ? "" : "setup: "}${(e as Error).message}\n`);
    code = usage ? EXIT.usage : EXIT.failed;
  } finally {
    prompter?.close();
    await closeAll({ exitMasters: true }).catch(() => undefined);
  }
  process.exitCode = code;
}

if (require.main === module) void main();
