/**
 * Groups from identity providers and directories, identified by (source, external id) — never by
 * name alone. A login replaces the user's groups from that source with what the IdP asserted.
 */
import type { Kysely, Transaction } from 'kysely';
import type { GatewayDatabase } from '../store/sql/schema.js';
import { newId } from '../http/ids.js';

const MAX_GROUPS_PER_LOGIN = 1000;

/** Names (and directory DNs) of external group ids, when the source knows them. */
export type GroupDetails = Record<string, { name: string; dn?: string }>;

export function createGroupRepository(db: Kysely<GatewayDatabase>, now: () => number) {
  const ensureGroups = async (trx: Transaction<GatewayDatabase>, source: string, externalIds: string[], details?: GroupDetails) => {
    if (externalIds.length === 0) return [];
    const existing = await trx.selectFrom('groups').select(['id', 'external_id']).where('source', '=', source).where('external_id', 'in', externalIds).execute();
    const known = new Map(existing.map((g) => [g.external_id, g.id]));
    for (const externalId of externalIds) {
      if (known.has(externalId)) continue;
      const id = newId();
      const d = details?.[externalId];
      await trx.insertInto('groups').values({ id, source, external_id: externalId, display_name: (d?.name ?? externalId).slice(0, 256), dn: (d?.dn ?? '').slice(0, 2048), create_at: now(), update_at: now() })
        .onConflict((oc) => oc.columns(['source', 'external_id']).doNothing()).execute();
      const row = await trx.selectFrom('groups').select('id').where('source', '=', source).where('external_id', '=', externalId).executeTakeFirstOrThrow();
      known.set(externalId, row.id);
    }
    return [...known.values()];
  };
  return {
    /** Make the user's groups from `source` exactly `externalIds`, in one transaction. */
    async replaceForUser(userId: string, source: string, externalIds: string[], details?: GroupDetails): Promise<void> {
      const wanted = [...new Set(externalIds.filter((g) => g.length > 0 && g.length <= 512))].slice(0, MAX_GROUPS_PER_LOGIN);
      const current = (await this.listForUser(userId)).filter((g) => g.source === source).map((g) => g.external_id);
      if (current.length === wanted.length && wanted.every((g) => current.includes(g))) return;
      await db.transaction().execute(async (trx) => {
        const ids = await ensureGroups(trx, source, wanted, details);
        const current = await trx.selectFrom('group_members').innerJoin('groups', 'groups.id', 'group_members.group_id')
          .select('group_members.group_id').where('group_members.user_id', '=', userId).where('groups.source', '=', source).execute();
        const keep = new Set(ids);
        const stale = current.map((r) => r.group_id).filter((id) => !keep.has(id));
        if (stale.length > 0) await trx.deleteFrom('group_members').where('user_id', '=', userId).where('group_id', 'in', stale).execute();
        const have = new Set(current.map((r) => r.group_id));
        for (const id of ids) if (!have.has(id)) await trx.insertInto('group_members').values({ group_id: id, user_id: userId, create_at: now() }).execute();
      });
    },
    /** The group (source, external id), created when absent — so links can be made before anyone signs in with it. */
    async ensure(source: string, externalId: string, displayName = externalId): Promise<string> {
      return db.transaction().execute(async (trx) => {
        const [id] = await ensureGroups(trx, source, [externalId], { [externalId]: { name: displayName } });
        return id!;
      });
    },
    async listForUser(userId: string): Promise<{ source: string; external_id: string }[]> {
      return db.selectFrom('group_members').innerJoin('groups', 'groups.id', 'group_members.group_id')
        .select(['groups.source', 'groups.external_id']).where('group_members.user_id', '=', userId).orderBy('groups.external_id').execute();
    },
  };
}

export type GroupRepository = ReturnType<typeof createGroupRepository>;
