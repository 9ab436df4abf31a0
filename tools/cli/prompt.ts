/**
 * Interactive prompts on a terminal (node:readline). Only used when stdin and stdout are TTYs and
 * the operator did not pass --yes; every prompt has a default that Enter accepts, so the
 * interactive and the non-interactive paths end in the same place.
 */
import * as readline from "node:readline";

export interface Prompter {
  /** Free text with a default ("" allowed when `optional`). */
  ask(question: string, def: string | undefined, opts?: { optional?: boolean; validate?: (v: string) => string | undefined }): Promise<string>;
  /** One of `choices`; Enter picks `def`. */
  choose<T extends string>(question: string, choices: readonly T[], def: T): Promise<T>;
  confirm(question: string, def: boolean): Promise<boolean>;
  close(): void;
}

/** Whether prompts make sense: both ends are terminals. */
export function isInteractive(stdin: NodeJS.ReadStream = process.stdin, stdout: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stdin.isTTY && stdout.isTTY);
}

export function terminalPrompter(input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stdout): Prompter {
  const rl = readline.createInterface({ input, output, terminal: true });
  let pending: ((e: Error) => void) | undefined;
  rl.on("close", () => pending?.(new Error("input closed (Ctrl-D): nothing was written")));
  const question = (q: string) =>
    new Promise<string>((resolve, reject) => {
      pending = reject;
      rl.question(q, (a) => {
        pending = undefined;
        resolve(a);
      });
    });
  const p: Prompter = {
    async ask(q, def, opts = {}) {
      for (;;) {
        const a = (await question(`${q}${def ? ` [${def}]` : ""}: `)).trim();
        const v = a === "" ? (def ?? "") : a === "-" && opts.optional ? "" : a;
        if (v === "" && !opts.optional) {
          output.write("  a value is needed\n");
          continue;
        }
        const bad = v === "" ? undefined : opts.validate?.(v);
        if (bad) {
          output.write(`  ${bad}\n`);
          continue;
        }
        return v;
      }
    },
    async choose(q, choices, def) {
      for (;;) {
        const a = (await question(`${q} (${choices.join("/")}) [${def}]: `)).trim();
        if (a === "") return def;
        const hit = choices.find((c) => c === a);
        if (hit) return hit;
        output.write(`  choose one of: ${choices.join(", ")}\n`);
      }
    },
    async confirm(q, def) {
      for (;;) {
        const a = (await question(`${q} [${def ? "Y/n" : "y/N"}]: `)).trim().toLowerCase();
        if (a === "") return def;
        if (a === "y" || a === "yes") return true;
        if (a === "n" || a === "no") return false;
      }
    },
    close: () => rl.close(),
  };
  return p;
}
