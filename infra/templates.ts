/**
 * Reads templates/ once and compiles the ejs templates; the only direct filesystem reader of
 * templates in infra. Templates get one typed view model each (plan/units.ts) and write values
 * raw (`<%-`): the planner has already escaped them for systemd.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as ejs from "ejs";
import type { AlertServiceView, RefreshServiceView, RefreshTimerView, Templates, WatchServiceView } from "./plan/units";

export const TEMPLATES_DIR = join(__dirname, "..", "templates");

function compile<T extends object>(rel: string, dir: string): (view: T) => string {
  const filename = join(dir, rel);
  const fn = ejs.compile(readFileSync(filename, "utf8"), { filename });
  return (view: T) => fn(view as ejs.Data) as string;
}

let cached: Templates | undefined;

/** The compiled templates (compiled once per process). */
export function loadTemplates(dir: string = TEMPLATES_DIR): Templates {
  if (cached && dir === TEMPLATES_DIR) return cached;
  const t: Templates = {
    watchService: compile<WatchServiceView>("systemd/watch.service.ejs", dir),
    refreshService: compile<RefreshServiceView>("systemd/refresh.service.ejs", dir),
    refreshTimer: compile<RefreshTimerView>("systemd/refresh.timer.ejs", dir),
    alertService: compile<AlertServiceView>("systemd/alert@.service.ejs", dir),
  };
  if (dir === TEMPLATES_DIR) cached = t;
  return t;
}
