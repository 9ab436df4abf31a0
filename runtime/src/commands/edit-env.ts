/**
 * `edit-env [--get]`: reads or sets a few entries of one .env file on the host (the Pulumi
 * program's EnvEntries resource runs it over SSH). Every other line is kept byte for byte.
 *
 *   --get  stdin {"file":"/abs","keys":["K"]}
 *          stdout {"exists":bool,"entries":{"K":"v"}}   (only requested keys that are present)
 *   (set)  stdin {"file":"/abs","set":{"K":"v"},"remove":["OLD"],"owner":{"uid":0,"gid":0},"mode":"0600"}
 *          stdout {"changed":bool,"message":"changed: set K in /abs"}
 * A new file gets `owner`/`mode` (default: the caller, 0600); an existing one keeps its own.
 */
import { z } from "zod";
import { ExitCode, UserError } from "../errors";
import { ENV_KEY_PATTERN, EnvEditError, getEnvEntries, setEnvEntries } from "../edit/env";
import type { Command } from "./types";
import {
  AbsoluteFile,
  Mode,
  Owner,
  describeEdit,
  parseGetFlag,
  printJson,
  readProcessStdin,
  readRequest,
  readTarget,
  writeTarget,
  type EditCommandDeps,
} from "./edit-common";

const EnvKey = z.string().regex(ENV_KEY_PATTERN, { message: "must be a shell variable name (letters, digits, _; not starting with a digit)" });

export const EnvGetRequest = z.strictObject({
  file: AbsoluteFile,
  keys: z.array(EnvKey),
});

export const EnvSetRequest = z.strictObject({
  file: AbsoluteFile,
  set: z.record(EnvKey, z.string().refine((v) => !v.includes("\0"), { message: "must not contain NUL" })).default({}),
  remove: z.array(EnvKey).default([]),
  owner: Owner.optional(),
  mode: Mode.optional(),
});

export function makeEditEnvCommand(deps: EditCommandDeps = {}): Command {
  const stdin = deps.stdin ?? readProcessStdin;
  return async (ctx) => {
    const get = parseGetFlag("edit-env", ctx.args);
    if (get) {
      const req = await readRequest("edit-env --get", EnvGetRequest, stdin);
      const text = await readTarget(req.file);
      printJson(ctx.out, { exists: text !== undefined, entries: text === undefined ? {} : getEnvEntries(text, req.keys) });
      return ExitCode.ok;
    }
    const req = await readRequest("edit-env", EnvSetRequest, stdin);
    const text = await readTarget(req.file);
    const before = getEnvEntries(text ?? "", [...Object.keys(req.set), ...req.remove]);
    let result;
    try {
      result = setEnvEntries(text ?? "", req.set, req.remove);
    } catch (e) {
      if (e instanceof EnvEditError) throw new UserError(`${req.file}: ${e.message}; file left unchanged`, e.exitCode);
      throw e;
    }
    if (result.changed) await writeTarget(req.file, result.text, req.owner, req.mode);
    const setKeys = Object.keys(req.set);
    printJson(ctx.out, {
      changed: result.changed,
      message: describeEdit(req.file, {
        set: setKeys.filter((k) => before[k] !== req.set[k]),
        removed: req.remove.filter((k) => k in before),
        keptSet: setKeys.filter((k) => before[k] === req.set[k]),
        keptAbsent: req.remove.filter((k) => !(k in before)),
      }),
      ...(result.warnings ? { warnings: result.warnings.map((w) => `${req.file}: ${w}`) } : {}),
    });
    return ExitCode.ok;
  };
}

export const editEnvCommand: Command = makeEditEnvCommand();
