/** Config of `refresh` (issue: renew before expiry). Owned by the refresh module. */
import { z } from "zod";

export const RefreshSchema = z.strictObject({
  /** Renew when less than this many minutes are left. */
  windowMinutes: z.number().int().min(1).default(45),
});
export type RefreshConfig = z.infer<typeof RefreshSchema>;
