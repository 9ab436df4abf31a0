/** Config of notifications (issue: alert when a human must log in again). Owned by the notify module. */
import { z } from "zod";

export const NotifySchema = z.strictObject({
  /** File holding channel secrets (webhook URLs, bot tokens); must be 0600 root. */
  secretsFile: z.string().optional(),
});
export type NotifyConfig = z.infer<typeof NotifySchema>;
