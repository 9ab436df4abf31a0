/**
 * RemoteFile — one file on the host that we own whole (runtime bundle, runtime config,
 * notification secrets, unit and timer files).
 * read:   `stat` + `sha256sum` in one SSH round trip → live sha256, mode, owner, group, in the shape
 *         of the inputs, so `pulumi preview` shows `~sha256` / `~mode` / `~owner` for a hand edit;
 *         a deleted file reads as gone and shows as a create.
 * update: uploads to a temp file in the same directory (content on stdin), chown/chmod, rename —
 *         atomic; missing parent directories are created 0755 root.
 * delete: removes the file.
 * State keeps `content` only when given as `content` (secret if the input is secret); a
 * `sourceFile` (big files) is kept as its path + sha256 only.
 */
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { HostStateResource, hostProps, type HostInput } from "./host-input";

export interface RemoteFileArgs {
  host: HostInput;
  /** Absolute path on the host. */
  path: string;
  /** The content; may be a secret Output (then it stays secret in state). Exactly one of content/sourceFile. */
  content?: pulumi.Input<string>;
  /** Local file to upload (e.g. dist/runtime/openclaw-oauth-sync.cjs); hashed at program time. */
  sourceFile?: string;
  /** Octal mode, default "0644". */
  mode?: string;
  owner?: string;
  group?: string;
}

import { sha256 } from "../plan/hash";

export class RemoteFile extends HostStateResource {
  declare readonly path: pulumi.Output<string>;
  /** sha256 of the content (hex) — use it as a restart trigger. Not secret, even for secret content. */
  declare readonly sha256: pulumi.Output<string>;
  declare readonly mode: pulumi.Output<string>;
  declare readonly owner: pulumi.Output<string>;
  declare readonly group: pulumi.Output<string>;

  constructor(name: string, args: RemoteFileArgs, opts?: pulumi.CustomResourceOptions) {
    if ((args.content === undefined) === (args.sourceFile === undefined)) {
      throw new pulumi.ResourceError(`RemoteFile ${name}: set exactly one of content and sourceFile`, opts?.parent);
    }
    let hash: pulumi.Input<string>;
    if (args.sourceFile !== undefined) {
      let data: Buffer;
      try {
        data = fs.readFileSync(args.sourceFile);
      } catch (e) {
        throw new pulumi.ResourceError(`RemoteFile ${name}: cannot read ${args.sourceFile} (${(e as Error).message}); run \`npm run build\` first`, opts?.parent);
      }
      hash = sha256(data);
    } else {
      // The hash of secret content is not itself secret: it lets preview show `~sha256` in clear.
      hash = pulumi.unsecret(pulumi.output(args.content!).apply((c) => sha256(c)));
    }
    super(
      "file",
      "RemoteFile",
      name,
      {
        ...hostProps(args.host),
        path: args.path,
        content: args.content,
        sourceFile: args.sourceFile,
        sha256: hash,
        mode: args.mode ?? "0644",
        owner: args.owner ?? "root",
        group: args.group ?? "root",
      },
      opts,
    );
  }
}
