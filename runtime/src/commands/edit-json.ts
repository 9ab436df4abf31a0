/**
 * `edit-json [--get]`: reads or sets values at a few paths of one JSON / JSON5 file on the host
 * (the Pulumi program's JsonKeys resource runs it over SSH, e.g. for openclaw.json). Comments,
 * formatting and every other key are kept.
 *
 *   --get  stdin {"file":"/abs","paths":[["a","b"]],"json5":true}
 *          stdout {"exists":bool,"values":[v|null,…],"present":[bool,…]}
 *   (set)  stdin {"file":"/abs","edits":[{"path":["a","b"],"value":1},{"path":["old"]}],
 *                 "json5":true,"createIfMissing":false,"owner":{"uid":1000,"gid":1000},"mode":"0600"}
 *          stdout {"changed":bool,"message":"changed: set a.b; removed old in /abs"}
 * An edit without "value" removes the path. A file that does not parse is left untouched: exit 65.
 */
import { z } from "zod";
import { ExitCode, UserError } from "../errors";
import { JsonEditError, editJsonText, formatJsonPath, getJsonPath, jsonEqual, parseJsonText } from "../edit/json";
import type { JsonEdit } from "../edit/types";
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

const PathSchema = z.array(z.union([z.string(), z.number().int().min(0)]));

export const JsonGetRequest = z.strictObject({
  file: AbsoluteFile,
  paths: z.array(PathSchema),
  json5: z.boolean().default(false),
});

export const JsonSetRequest = z.strictObject({
  file: AbsoluteFile,
  edits: z.array(z.strictObject({ path: PathSchema, value: z.unknown().optional() })),
  json5: z.boolean().default(false),
  createIfMissing: z.boolean().default(false),
  owner: Owner.optional(),
  mode: Mode.optional(),
});

function parseOrExplain(file: string, text: string, json5: boolean): unknown {
  if (text.trim() === "") return undefined;
  try {
    return parseJsonText(text, { json5 });
  } catch (e) {
    if (e instanceof JsonEditError) throw new UserError(`${file}: ${e.message}; file left unchanged, fix it by hand`, ExitCode.dataErr);
    throw e;
  }
}

export function makeEditJsonCommand(deps: EditCommandDeps = {}): Command {
  const stdin = deps.stdin ?? readProcessStdin;
  return async (ctx) => {
    const get = parseGetFlag("edit-json", ctx.args);
    if (get) {
      const req = await readRequest("edit-json --get", JsonGetRequest, stdin);
      const text = await readTarget(req.file);
      const doc = text === undefined ? undefined : parseOrExplain(req.file, text, req.json5);
      const found = req.paths.map((p) => (doc === undefined ? undefined : getJsonPath(doc, p)));
      printJson(ctx.out, {
        exists: text !== undefined,
        values: found.map((v) => (v === undefined ? null : v)),
        present: found.map((v) => v !== undefined),
      });
      return ExitCode.ok;
    }

    const req = await readRequest("edit-json", JsonSetRequest, stdin);
    const edits: JsonEdit[] = req.edits.map((e) => ({ path: e.path, value: e.value }));
    const text = await readTarget(req.file);
    if (text === undefined && !req.createIfMissing && edits.some((e) => e.value !== undefined)) {
      throw new UserError(`${req.file}: does not exist (the request has createIfMissing: false); check the path or create the file`, ExitCode.noInput);
    }
    const before = text === undefined ? undefined : parseOrExplain(req.file, text, req.json5);
    let result;
    try {
      result = editJsonText(text ?? "", edits, { json5: req.json5 });
    } catch (e) {
      if (e instanceof JsonEditError) throw new UserError(`${req.file}: ${e.message}; file left unchanged`, ExitCode.dataErr);
      throw e;
    }
    if (result.changed) await writeTarget(req.file, result.text, req.owner, req.mode);

    const setPaths = edits.filter((e) => e.value !== undefined);
    const removals = edits.filter((e) => e.value === undefined);
    const was = (e: JsonEdit) => (before === undefined ? undefined : getJsonPath(before, e.path));
    printJson(ctx.out, {
      changed: result.changed,
      message: describeEdit(req.file, {
        set: setPaths.filter((e) => !jsonEqual(was(e), e.value)).map((e) => formatJsonPath(e.path)),
        removed: removals.filter((e) => was(e) !== undefined).map((e) => formatJsonPath(e.path)),
        keptSet: setPaths.filter((e) => jsonEqual(was(e), e.value)).map((e) => formatJsonPath(e.path)),
        keptAbsent: removals.filter((e) => was(e) === undefined).map((e) => formatJsonPath(e.path)),
      }),
    });
    return ExitCode.ok;
  };
}

export const editJsonCommand: Command = makeEditJsonCommand();
