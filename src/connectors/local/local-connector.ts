/** The local directory: Gatehouse's own accounts with argon2id password hashes. */
import type { UserRepository } from '../../directory/users.js';
import { verifyPassword } from '../../login/passwords.js';
import { MAX_PASSWORD_LENGTH } from '../../login/password-policy.js';
import type { Identity, PasswordConnector } from '../contract.js';

export function createLocalConnector(users: UserRepository): PasswordConnector {
  return {
    id: 'local',
    kind: 'password',
    async login(loginId, password) {
      const user = loginId.length <= 320 ? await users.findByLoginId(loginId) : undefined;
      // Always verify, against a dummy hash when the user is unknown or has no password, so the time
      // taken does not tell whether the account exists.
      const candidate = password.length <= MAX_PASSWORD_LENGTH ? password : '';
      const ok = await verifyPassword(user?.password_hash, candidate);
      // A bot never signs in: refused after the same verification, exactly like a wrong password.
      if (!user || !ok || candidate !== password || user.is_bot === 1) return null;
      const identity: Identity = {
        connectorId: 'local', subject: user.id, userId: user.id, email: user.email, emailVerified: user.email_verified === 1,
        username: user.username, groups: [], amr: ['pwd'], raw: {},
      };
      return identity;
    },
  };
}
