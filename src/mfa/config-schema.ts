/**
 * The `mfa` section of the configuration: the reference for every MFA key, with its default.
 * Per-connector trust of the IdP's own MFA is the connectors' `trustIdpMfa` key.
 */
import { z } from 'zod';

const groupRef = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}:.+$/, 'must be "<connector id>:<group id or DN>", e.g. "corp-ad:CN=Admins,OU=Groups,DC=corp,DC=example"');

export const mfaConfigSchema = z
  .object({
    /**
     * `off`: no second factor anywhere (enrolled users sign in with the first factor only);
     * `optional`: users may enrol, and then always need their code; `required`: the users chosen
     * under `requiredFor` must enrol and use it. Default `optional`.
     */
    mode: z.enum(['off', 'optional', 'required']).default('optional'),
    /** With `required`: who must use MFA (any match). Default: everyone. */
    requiredFor: z
      .object({
        everyone: z.boolean().default(true),
        admins: z.boolean().default(false),
        guests: z.boolean().default(false),
        /** Groups, as `<connector id>:<group id or DN>` (never by name). */
        groups: z.array(groupRef).default([]),
        /** Users who sign in through these connectors (`local` for local accounts). */
        connectors: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .prefault({}),
    /** The issuer name authenticator apps show. Default `Gatehouse`. */
    issuer: z.string().min(1).max(64).default('Gatehouse'),
    /** Wrong codes per user before a lockout. Default 5. */
    maxAttempts: z.number().int().min(1).max(100).default(5),
    /** Wrong codes from one client address (any users) before a lockout — higher, for offices behind one NAT. Default 50. */
    maxAttemptsPerAddress: z.number().int().min(1).max(10_000).default(50),
    /** How long a lockout lasts, minutes. Default 15. */
    lockoutMinutes: z.number().int().min(1).max(1440).default(15),
    /** How long the code page waits after the first factor, minutes. Default 5. */
    pendingMinutes: z.number().int().min(1).max(30).default(5),
  })
  .strict();

export type MfaConfig = z.output<typeof mfaConfigSchema>;
