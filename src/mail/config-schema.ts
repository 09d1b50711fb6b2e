/**
 * The `mail` section of the configuration: how Gatehouse sends e-mail (guest invitations), the
 * reference for every key with its default. With `smtp` set, mail goes to that server through
 * nodemailer; without it (the embedded default) each message is written as an `.eml` file to
 * `outboxDir`, and the log says where.
 */
import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);
const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export const mailSmtpSchema = z
  .object({
    /** Host name or IP address of the SMTP server (`GATEHOUSE_MAIL__SMTP__HOST`). */
    host: z.string().min(1).regex(/^[^\s/:[\]]+$|^[0-9a-fA-F.]*:[0-9a-fA-F.]*:[0-9a-fA-F:.]*$/, 'must be a host name or IP address, without scheme, port or brackets'),
    /** Port. Default 587 (submission with STARTTLS); 465 is usual with `secure: true`. */
    port: port.default(587),
    /** Implicit TLS from the first byte (SMTPS, usually port 465). Default false (STARTTLS on a plain connection). */
    secure: bool.default(false),
    /**
     * Refuse to send unless the server upgrades the connection with STARTTLS, so neither the password
     * nor the invitation links cross the network in clear. Default true unless `secure`.
     */
    requireTls: bool.optional(),
    tls: z
      .object({
        /** PEM file of the CA(s) that sign the server's certificate. Default: Node's bundled CAs. */
        caFile: z.string().min(1).optional(),
        /** Check the server's certificate and name. Default true; false is logged at every start. */
        verify: bool.default(true),
      })
      .strict()
      .prefault({}),
    /** User name for SMTP AUTH. Default: no authentication. */
    user: z.string().min(1).optional(),
    /** File holding the SMTP password (preferred). Never logged. */
    passwordFile: z.string().min(1).optional(),
    /** The SMTP password inline (prefer passwordFile or `GATEHOUSE_MAIL__SMTP__PASSWORD`). Never logged. */
    password: z.string().min(1).optional(),
    /** Timeout of connecting, of the greeting and of each reply, seconds. Default 10. */
    timeoutSeconds: z.coerce.number().int().min(1).max(300).default(10),
  })
  .strict()
  .refine((s) => !(s.password && s.passwordFile), { message: 'set only one of password and passwordFile', path: ['password'] })
  .refine((s) => !(s.password || s.passwordFile) || s.user, { message: 'a password needs a user to authenticate as', path: ['user'] })
  .refine((s) => !s.user || s.password || s.passwordFile, { message: 'the SMTP user needs passwordFile (or password / GATEHOUSE_MAIL__SMTP__PASSWORD)', path: ['passwordFile'] })
  .refine((s) => !s.user || s.secure || s.requireTls !== false || LOOPBACK.has(s.host.toLowerCase()), {
    message: 'requireTls: false would send the SMTP password unencrypted to a remote server; keep requireTls, use secure: true, or relay through localhost',
    path: ['requireTls'],
  })
  .transform((s) => ({ ...s, requireTls: s.requireTls ?? !s.secure }));

export const mailConfigSchema = z
  .object({
    /** Sender of every message, `Name <address>` or a bare address. Default `Gatehouse <no-reply@localhost>`. */
    from: z
      .string()
      .min(3)
      .max(320)
      .regex(/^[^\r\n]*@[^\r\n]*$/, 'must be an address such as "Gatehouse <no-reply@example.com>", on one line')
      .default('Gatehouse <no-reply@localhost>'),
    /** The SMTP server (keys above). Default: none, messages go to `outboxDir`. */
    smtp: mailSmtpSchema.optional(),
    /** Where messages are written when `smtp` is not set: one `.eml` file each, mode 0600. Default `{dataDir}/outbox`. */
    outboxDir: z.string().min(1).optional(),
  })
  .strict();

export type MailConfig = z.output<typeof mailConfigSchema>;
export type MailConfigInput = z.input<typeof mailConfigSchema>;
export type MailSmtpConfig = NonNullable<MailConfig['smtp']>;
