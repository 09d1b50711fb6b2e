import type { Config } from '../config/schema.js';
import { GatewayError } from '../errors/gateway-error.js';

/** The longest password accepted: argon2 has no limit, but hashing megabytes is a denial of service. */
export const MAX_PASSWORD_LENGTH = 256;

/** Check a new password against the policy; the message lists everything that is wrong at once. */
export function checkPasswordPolicy(password: unknown, policy: Config['passwordPolicy'], context: { username?: string; email?: string } = {}): string {
  if (typeof password !== 'string') throw new GatewayError('USER_PASSWORD_POLICY', { message: 'A password is required.' });
  const problems: string[] = [];
  if ([...password].length < policy.minimumLength) problems.push(`at least ${policy.minimumLength} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) problems.push(`at most ${MAX_PASSWORD_LENGTH} characters`);
  if (policy.requireLowercase && !/\p{Ll}/u.test(password)) problems.push('a lowercase letter');
  if (policy.requireUppercase && !/\p{Lu}/u.test(password)) problems.push('an uppercase letter');
  if (policy.requireNumber && !/\p{Nd}/u.test(password)) problems.push('a number');
  if (policy.requireSymbol && !/[^\p{L}\p{Nd}\s]/u.test(password)) problems.push('a symbol');
  const lower = password.toLowerCase();
  if ((context.username && lower === context.username.toLowerCase()) || (context.email && lower === context.email.toLowerCase())) {
    problems.push('something other than your username or email');
  }
  if (problems.length > 0) {
    throw new GatewayError('USER_PASSWORD_POLICY', { message: `Your password must contain ${problems.join(', ')}.` });
  }
  return password;
}
