/** Everything a gateway route or step may use, built once by `createGateway` and passed in. */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import type { Authorizer } from '../policies/authorizer.js';
import type { EphemeralStore } from './store/ephemeral/contract.js';
import type { GatewayDatabase } from './store/sql/schema.js';
import type { SqlDialectName } from './store/sql/connect.js';
import type { UserRepository } from './directory/users.js';
import type { TeamRepository } from './directory/teams.js';
import type { ChatProvisioner } from './directory/chat-provisioner.js';
import type { AccessTokenRepository } from './tokens/access-tokens.js';
import type { SessionStore } from './sessions/session-store.js';
import type { AccessResolver } from './sessions/access.js';
import type { Authenticator } from './sessions/authenticate.js';
import type { AuditLog } from './audit/audit-log.js';
import type { Metrics } from './http/metrics.js';
import type { AssertionMinter } from './keys/assertions.js';
import type { KeySet, SigningKeys } from './keys/signing-keys.js';
import type { ConnectorRegistry } from './connectors/registry.js';
import type { Sealer } from './keys/seal.js';
import type { Mailer } from './mail/mailer.js';

export interface GatewayContext {
  config: Config;
  logger: Logger;
  now: () => number;
  db: Kysely<GatewayDatabase>;
  dialect: SqlDialectName;
  store: EphemeralStore;
  authorizer: Authorizer;
  users: UserRepository;
  teams: TeamRepository;
  tokens: AccessTokenRepository;
  sessions: SessionStore;
  access: AccessResolver;
  authenticator: Authenticator;
  audit: AuditLog;
  metrics: Metrics;
  signingKeys: SigningKeys;
  /** The currently loaded key set (swapped on rotation). */
  keySet: () => KeySet;
  minter: AssertionMinter;
  chat: ChatProvisioner;
  /** Outgoing mail (guest invitations): SMTP, or the outbox folder. */
  mailer: Mailer;
  /** Seals secrets kept at rest (signing keys, refresh tokens) with AES-256-GCM under the secret key. */
  sealer: Sealer;
  /** SAML, OIDC/OAuth and LDAP connectors configured for this deployment. */
  connectors: ConnectorRegistry;
}
