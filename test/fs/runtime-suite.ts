/**
 * The clean-up the bundled-runtime tests (crash, rapid, watch-runtime) share: kept apart from
 * watch-fixture.ts because it registers node:test hooks, and the bench imports that file.
 */
import { after } from "node:test";
import { makeFixture, startRuntime, type Fixture, type FixtureOptions, type RuntimeChild } from "./watch-fixture";

export interface RuntimeSuite {
  /** makeFixture, remembered so that a failed test leaves no temp dir behind. */
  fixture(prefix: string, o?: FixtureOptions): Fixture;
  /**
   * startRuntime, remembered so that a failed test leaves no runtime running. Only the latest
   * child is kept: the tests stop (and reap) each one before they start the next.
   */
  start(configPath: string, args: string[]): RuntimeChild;
}

/** Registers its `after` where it is called, so each describe cleans up when it ends. */
export function runtimeSuite(): RuntimeSuite {
  let f: Fixture | undefined;
  let rt: RuntimeChild | undefined;
  after(() => {
    // Only our own child, by its PID, and only if the test did not stop it.
    if (rt && rt.child.exitCode === null && rt.child.signalCode === null) rt.child.kill("SIGKILL");
    f?.cleanup();
  });
  return {
    fixture: (prefix, o) => (f = makeFixture(prefix, o)),
    start: (configPath, args) => (rt = startRuntime(configPath, args)),
  };
}
