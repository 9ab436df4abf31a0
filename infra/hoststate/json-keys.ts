/**
 * JsonKeys — some keys of one JSON/JSON5 file (openclaw.json: primary model, fallbacks, aliases,
 * removal of a broken provider), edited by the runtime's `edit-json` so the rest of the file,
 * comments included, is untouched.
 * read:   `<node> <bundle> edit-json --get` for our paths → `values` as they are live (a hand edit
 *         of the primary model shows as `~values`); a missing file shows as a create.
 * create: records what each of our paths held before (`previous`: present/absent + value), then sets.
 * update: sets the new values; paths no longer listed go back to their recorded previous value.
 * delete: with restoreOnDelete, restores every recorded previous value (removes keys that were absent).
 * A `values` item without `value` means "this path must be absent".
 */
import * as pulumi from "@pulumi/pulumi";
import type { RuntimeRef } from "./runtime-cli";
import type { JsonValue, PreviousValue } from "./json-keys.provider";
import { HostStateResource, hostProps, type HostInput } from "./host-input";

export type { JsonValue, PreviousValue };

export interface JsonKeysArgs {
  host: HostInput;
  path: string;
  /** JSON5 (OpenClaw's config) or strict JSON. */
  json5: boolean;
  values: pulumi.Input<JsonValue[]>;
  restoreOnDelete: boolean;
  runtime: RuntimeRef;
  /** Create the file when missing (default false). */
  createIfMissing?: boolean;
}

export class JsonKeys extends HostStateResource {
  declare readonly path: pulumi.Output<string>;
  declare readonly values: pulumi.Output<JsonValue[]>;
  /** What our paths held before we first set them (restored on delete). */
  declare readonly previous: pulumi.Output<PreviousValue[]>;

  constructor(name: string, args: JsonKeysArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "json",
      "JsonKeys",
      name,
      {
        ...hostProps(args.host),
        path: args.path,
        json5: args.json5,
        values: args.values,
        restoreOnDelete: args.restoreOnDelete,
        runtime: args.runtime,
        createIfMissing: args.createIfMissing ?? false,
        previous: undefined,
      },
      opts,
    );
  }
}
