import { z } from "zod";

/** `links:` — owned by the link monitor. Each link is probed over its own interface. */
export const LinkConfig = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/, "letters, digits, _ . - only"),
    interface: z.string().min(1).max(15),
    role: z.enum(["primary", "backup"]),
  })
  .strict();
export type LinkConfig = z.infer<typeof LinkConfig>;
