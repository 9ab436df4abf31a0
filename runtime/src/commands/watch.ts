import type { Command } from "./types";
import { UserError } from "../errors";
// Placeholder until the watcher lands (replaced by the watch module's owner).
export const watchCommand: Command = async () => {
  throw new UserError("watch: not built yet");
};
