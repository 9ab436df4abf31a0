import type { Command } from "./types";
import { UserError } from "../errors";
// Placeholder until the sync engine lands (replaced by the sync module's owner).
export const syncCommand: Command = async () => {
  throw new UserError("sync: not built yet");
};
