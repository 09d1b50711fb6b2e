/**
 * The writing step of a directory sync: carry out a plan (src/directory/ldap-sync-plan.ts) — profile
 * and role updates, deactivations (sessions and tokens end everywhere), reactivations, accounts
 * created in batches — then each group's effective members, one transaction per changed group.
 */
import type { GatewayContext } from '../context.js';
import type { LdapConnector } from '../connectors/ldap/create-ldap-connector.js';
import type { DirectoryUser } from '../connectors/ldap/entries.js';
import type { DirectoryGroup } from '../connectors/ldap/user-groups.js';
import type { DirectorySnapshot } from '../connectors/ldap/read-directory.js';
import { newId } from '../http/ids.js';
import { pickUsernameFrom, rolesFor } from '../login/sso/provision-user.js';
import { userUpserted } from './chat-provisioner.js';
import { adminGuestGroups, roleFilters, type KnownUser, type SyncCounts, type SyncPlan, type SyncProgress } from './ldap-sync-plan.js';
import { deactivateUser } from './user-routes.js';
import { normalizeEmail, validateNewUser, type UserRow } from './users.js';

export async function apply(
  ctx: GatewayContext, connector: LdapConnector, snap: DirectorySnapshot, p: SyncPlan, known: Map<string, KnownUser>,
  groupIds: Map<string, string>, counts: SyncCounts, onProgress?: (p: SyncProgress) => void,
): Promise<void> {
  const s = connector.settings;
  const total = p.update.length + p.roles.length + p.deactivate.length + p.reactivate.length + p.create.length + snap.groups.length;
  let done = 0;
  const tick = () => { done += 1; if (done % 500 === 0 || done === total) onProgress?.({ phase: 'apply', done, total }); };
  for (const u of p.update) {
    try {
      await ctx.users.updateProfile(u.userId, u.fields as never);
      counts.updated += 1;
    } catch (err) {
      // An e-mail taken by another account: keep the rest of the profile in step.
      const { email: _e, ...rest } = u.fields;
      if (Object.keys(rest).length > 0) await ctx.users.updateProfile(u.userId, rest as never);
      ctx.logger.warn({ connector: s.id, user_id: u.userId, err: (err as Error).message }, 'directory e-mail belongs to another account; kept the old e-mail');
      counts.updated += 1;
    }
    await ctx.access.invalidate(u.userId);
    tick();
  }
  for (const r of p.roles) {
    await ctx.users.setRoles(r.userId, r.roles);
    await ctx.access.invalidate(r.userId);
    await ctx.audit.record('user.roles_changed', { subjectId: r.userId, details: { roles: r.roles.join(' '), source: s.id, by: 'directory_sync' } });
    tick();
  }
  for (const d of p.deactivate) {
    await deactivateUser(ctx, d.userId, '');
    await ctx.db.updateTable('identities').set({ sync_deactivated: 1 }).where('connector_id', '=', s.id).where('user_id', '=', d.userId).execute();
    counts.deactivated += 1;
    tick();
  }
  for (const r of p.reactivate) {
    await ctx.users.setDeactivated(r.userId, false);
    await ctx.db.updateTable('identities').set({ sync_deactivated: 0 }).where('connector_id', '=', s.id).where('user_id', '=', r.userId).execute();
    await ctx.access.invalidate(r.userId);
    await ctx.audit.record('user.reactivated', { subjectId: r.userId, details: { source: s.id } });
    const user = await ctx.users.require(r.userId);
    await ctx.chat.push([userUpserted(user)]);
    counts.reactivated += 1;
    tick();
  }
  const byId = new Map(snap.users.map((u) => [u.id, u]));
  for (const d of snap.users) {
    const k = known.get(d.id);
    if (k && k.dn !== d.dn) await ctx.db.updateTable('identities').set({ dn: d.dn.slice(0, 2048) }).where('connector_id', '=', s.id).where('subject', '=', d.id).execute();
  }
  const localOf = new Map([...known.values()].map((k) => [k.subject, k.userId]));
  if (p.create.length > 0) counts.created = await createUsers(ctx, connector, snap, p.create.map((c) => byId.get(c.subject)!), adminGuestGroups(connector, snap), localOf, (n) => { for (let i = 0; i < n; i += 1) tick(); });
  // Groups and effective memberships, one group per transaction.
  const at = ctx.now();
  counts.membershipsAdded = 0;
  counts.membershipsRemoved = 0;
  const stored = new Map((await ctx.db.selectFrom('groups').select(['id', 'external_id', 'display_name', 'dn', 'delete_at']).where('source', '=', s.id).execute()).map((g) => [g.external_id, g]));
  const storedMembers = new Map<string, Set<string>>();
  for (const r of await ctx.db.selectFrom('group_members').innerJoin('groups', 'groups.id', 'group_members.group_id').select(['group_members.group_id', 'group_members.user_id']).where('groups.source', '=', s.id).execute()) {
    (storedMembers.get(r.group_id) ?? storedMembers.set(r.group_id, new Set()).get(r.group_id)!).add(r.user_id);
  }
  for (const g of snap.groups) {
    const members = [...new Set(g.memberIds.map((id) => localOf.get(id)).filter((x): x is string => x !== undefined))];
    const row = stored.get(g.id);
    const have = row ? storedMembers.get(row.id) ?? new Set<string>() : undefined;
    // Most groups of most syncs are unchanged: no transaction for them.
    if (row && have && row.delete_at === 0 && row.display_name === g.name.slice(0, 256) && row.dn === g.dn.slice(0, 2048)
      && have.size === members.length && members.every((m) => have.has(m))) { tick(); continue; }
    await ctx.db.transaction().execute(async (trx) => {
      let id = groupIds.get(g.id);
      if (!id) {
        id = newId();
        await trx.insertInto('groups').values({ id, source: s.id, external_id: g.id, display_name: g.name.slice(0, 256), dn: g.dn.slice(0, 2048), create_at: at, update_at: at }).execute();
        groupIds.set(g.id, id);
      } else {
        await trx.updateTable('groups').set({ display_name: g.name.slice(0, 256), dn: g.dn.slice(0, 2048), delete_at: 0, update_at: at }).where('id', '=', id)
          .where((eb) => eb.or([eb('display_name', '!=', g.name.slice(0, 256)), eb('dn', '!=', g.dn.slice(0, 2048)), eb('delete_at', '!=', 0)])).execute();
      }
      const have = new Set((await trx.selectFrom('group_members').select('user_id').where('group_id', '=', id).execute()).map((r) => r.user_id));
      const want = new Set(members);
      const stale = [...have].filter((m) => !want.has(m));
      for (let i = 0; i < stale.length; i += 500) await trx.deleteFrom('group_members').where('group_id', '=', id).where('user_id', 'in', stale.slice(i, i + 500)).execute();
      const fresh = members.filter((m) => !have.has(m));
      counts.membershipsAdded += fresh.length;
      counts.membershipsRemoved += stale.length;
      for (let i = 0; i < fresh.length; i += 500) await trx.insertInto('group_members').values(fresh.slice(i, i + 500).map((user_id) => ({ group_id: id!, user_id, create_at: at }))).execute();
    });
    tick();
  }
  const seen = new Set(snap.groups.map((g) => g.id));
  for (const [externalId, id] of groupIds) {
    if (seen.has(externalId)) continue;
    await ctx.db.transaction().execute(async (trx) => {
      await trx.updateTable('groups').set({ delete_at: at, update_at: at }).where('id', '=', id).where('delete_at', '=', 0).execute();
      await trx.deleteFrom('group_members').where('group_id', '=', id).execute();
    });
  }
}

const CREATE_BATCH = 500;

/**
 * Pre-create accounts (sync.createUsers) in transactions of CREATE_BATCH rows: users, their
 * identity links and the audit rows in multi-row inserts. Usernames and e-mails already taken are
 * checked against sets loaded once; a directory user whose e-mail belongs to another account, or
 * who has none, is skipped and logged (they can still sign in if e-mail linking allows it).
 */
async function createUsers(
  ctx: GatewayContext, connector: LdapConnector, snap: DirectorySnapshot, users: DirectoryUser[], roleGroups: Map<string, DirectoryGroup[]>,
  localOf: Map<string, string>, onBatch: (done: number) => void,
): Promise<number> {
  const s = connector.settings;
  const names = new Set((await ctx.db.selectFrom('users').select('username').execute()).map((r) => r.username));
  const emails = new Set((await ctx.db.selectFrom('users').select('email').execute()).map((r) => r.email));
  let created = 0;
  let skipped = 0;
  for (let i = 0; i < users.length; i += CREATE_BATCH) {
    const at = ctx.now();
    const rows: UserRow[] = [];
    const links: { connector_id: string; subject: string; user_id: string; email: string; create_at: number; last_login_at: number; dn: string }[] = [];
    for (const d of users.slice(i, i + CREATE_BATCH)) {
      const identity = connector.identityOf(d, roleGroups.get(d.id) ?? [], roleFilters(snap, d.id));
      const email = normalizeEmail(identity.email);
      const username = await pickUsernameFrom(identity, (n) => names.has(n));
      try {
        validateNewUser({ username, email, firstName: identity.firstName, lastName: identity.lastName, nickname: identity.nickname });
      } catch {
        skipped += 1;
        continue;
      }
      if (emails.has(email)) { skipped += 1; continue; }
      names.add(username);
      emails.add(email);
      const row: UserRow = {
        id: newId(), username, email, email_verified: identity.emailVerified ? 1 : 0, first_name: identity.firstName?.slice(0, 64) ?? '',
        last_name: identity.lastName?.slice(0, 64) ?? '', nickname: identity.nickname?.slice(0, 64) ?? '', position: identity.position?.slice(0, 128) ?? '',
        locale: 'en', roles: rolesFor(identity, []).join(' '), password_hash: null, auth_service: s.id, create_at: at, update_at: at, delete_at: 0, last_password_update: 0, expires_at: 0,
      };
      rows.push(row);
      links.push({ connector_id: s.id, subject: d.id, user_id: row.id, email, create_at: at, last_login_at: 0, dn: d.dn.slice(0, 2048) });
    }
    if (rows.length > 0) {
      await ctx.db.transaction().execute(async (trx) => {
        await trx.insertInto('users').values(rows).execute();
        await trx.insertInto('identities').values(links).execute();
        await trx.insertInto('audit_log').values(rows.map((r) => ({ at, event: 'user.created', actor_id: '', subject_id: r.id, ip: '', details: JSON.stringify({ source: s.id, by: 'directory_sync' }) }))).execute();
      });
      for (const [k, r] of rows.entries()) localOf.set(links[k]!.subject, r.id);
      created += rows.length;
    }
    onBatch(Math.min(CREATE_BATCH, users.length - i));
  }
  ctx.logger.info({ connector: s.id, created, skipped }, 'directory users pre-created');
  if (skipped > 0) ctx.logger.warn({ connector: s.id, skipped }, 'directory users not pre-created: no valid e-mail or username, or the e-mail belongs to another account');
  return created;
}
