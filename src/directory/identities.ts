/** Identity links: (connector, subject) → user. SSO logins match on these and on nothing else. */
import type { Kysely, Selectable } from 'kysely';
import type { GatewayDatabase, IdentitiesTable } from '../store/sql/schema.js';

export type IdentityRow = Selectable<IdentitiesTable>;

export function createIdentityRepository(db: Kysely<GatewayDatabase>, now: () => number) {
  return {
    async find(connectorId: string, subject: string): Promise<IdentityRow | undefined> {
      return db.selectFrom('identities').selectAll().where('connector_id', '=', connectorId).where('subject', '=', subject).executeTakeFirst();
    },
    /** The user linked to (connector, subject), in one query. */
    async findUser(connectorId: string, subject: string) {
      return db.selectFrom('identities').innerJoin('users', 'users.id', 'identities.user_id').selectAll('users')
        .where('identities.connector_id', '=', connectorId).where('identities.subject', '=', subject).executeTakeFirst();
    },
    async listForUser(userId: string): Promise<IdentityRow[]> {
      return db.selectFrom('identities').selectAll().where('user_id', '=', userId).orderBy('create_at').execute();
    },
    /** `dn`: the directory entry, for LDAP identities. */
    async link(connectorId: string, subject: string, userId: string, email: string, dn = ''): Promise<void> {
      await db.insertInto('identities').values({ connector_id: connectorId, subject, user_id: userId, email, create_at: now(), last_login_at: now(), dn: dn.slice(0, 2048) }).execute();
    },
    async touch(connectorId: string, subject: string, email: string, dn?: string): Promise<void> {
      await db.updateTable('identities').set({ last_login_at: now(), email, ...(dn ? { dn: dn.slice(0, 2048) } : {}) }).where('connector_id', '=', connectorId).where('subject', '=', subject).execute();
    },
  };
}

export type IdentityRepository = ReturnType<typeof createIdentityRepository>;
