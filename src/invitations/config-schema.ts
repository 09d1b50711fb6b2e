/** The `guests` section of the configuration: guest accounts invited by e-mail (the reference for every key). */
import { z } from 'zod';

export const guestsConfigSchema = z
  .object({
    /** Allow guest accounts and invitations. Default false (Mattermost's GuestAccountsSettings.Enable). */
    enabled: z.boolean().default(false),
    /**
     * E-mail domains guests may be invited from (Mattermost's RestrictCreationToDomains), matched
     * exactly after IDN and case normalisation; `*.example.com` allows subdomains (not the apex).
     * Default: any domain.
     */
    allowedDomains: z.array(z.string().min(1)).default([]),
    /** How long an invitation link works, hours. Default 48. */
    invitationHours: z.number().int().min(1).max(720).default(48),
    /**
     * SSO connectors an invited guest may accept with instead of setting a password: the identity's
     * verified e-mail must be the invited address. Default: none (password only).
     */
    ssoConnectors: z.array(z.string().min(1)).default([]),
    /** Accounts made from an invitation are deactivated after this many days (0: never). Default 0. */
    accountDays: z.number().int().min(0).max(3650).default(0),
  })
  .strict();

export type GuestsConfig = z.output<typeof guestsConfigSchema>;
