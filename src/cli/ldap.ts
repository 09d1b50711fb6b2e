/**
 * `gatehouse ldap test | sync | groups`: check a directory connection and what the mapping makes of
 * one user (never their password); run a sync now (or a dry run) against the same database a
 * separately running server uses, with progress on stderr; list the directory groups the last sync
 * stored. With no connector id, every LDAP connector in turn.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { chatUrlOf } from '../app.js';
import type { GatewayContext } from '../context.js';
import type { LdapConnectorConfig } from '../connectors/ldap/config-schema.js';
import { createLdapConnector, type LdapConnector } from '../connectors/ldap/create-ldap-connector.js';
import { openServiceSession, type DirectorySession } from '../connectors/ldap/directory-client.js';
import { isSkipped, toDirectoryUser, userAttributes } from '../connectors/ldap/entries.js';
import { loginFilter } from '../connectors/ldap/filters.js';
import type { LdapSettings } from '../connectors/ldap/settings.js';
import { groupAttributes, groupsOfUser } from '../connectors/ldap/user-groups.js';
import { createGroupSyncables } from '../directory/group-syncables.js';
import { runLdapSync, syncHistory, type SyncPlan, type SyncProgress } from '../directory/ldap-sync.js';
import { isGatewayError } from '../errors/gateway-error.js';
import { rolesFor } from '../login/sso/provision-user.js';
import { COMMAND_HELP } from './help.js';
import { withOfflineGateway } from './offline-gateway.js';
import type { CliIo } from './run.js';

type Flags = { user?: string; 'dry-run'?: boolean; full?: boolean; search?: string };

/** Names listed per category of a dry run before "… and N more". */
const LIST_CAP = 200;
/** Progress lines on stderr are at least this far apart (phase ends are always shown). */
const PROGRESS_INTERVAL_MS = 500;

export async function runLdap(rest: string[], flags: Flags, config: Config, logger: Logger, io: CliIo): Promise<number> {
  const [sub, id, extra] = rest;
  if (!['test', 'sync', 'groups'].includes(sub ?? '') || extra !== undefined) { io.err(COMMAND_HELP.ldap!); return 2; }
  const all = config.connectors.filter((c): c is LdapConnectorConfig => c.type === 'ldap');
  if (all.length === 0) { io.err('no LDAP connector is configured: add one with "type": "ldap" to connectors (keys: src/connectors/ldap/config-schema.ts)\n'); return 1; }
  const chosen = id ? all.filter((c) => c.id === id) : all;
  if (chosen.length === 0) { io.err(`no LDAP connector "${id}" (configured: ${all.map((c) => c.id).join(', ')})\n`); return 1; }
  if (sub === 'test') {
    let ok = true;
    for (const c of chosen) ok = (await testConnector(c, flags.user, logger, io)) && ok;
    return ok ? 0 : 1;
  }
  // The offline gateway must not start its own sync timer: this process syncs once, on request.
  const offline = { ...config, connectors: config.connectors.map((c) => (c.type === 'ldap' ? { ...c, sync: { ...c.sync, enabled: false } } : c)) } as Config;
  try {
    return await withOfflineGateway(offline, logger, async ({ ctx }) => {
      const connectors = chosen.map((c) => ctx.connectors.ldapById(c.id));
      if (sub === 'groups') return listGroups(ctx, connectors, flags.search, io);
      await warnIfChatUnreachable(ctx, io);
      let ok = true;
      for (const c of connectors) ok = (await syncConnector(ctx, c, { dryRun: flags['dry-run'] ?? false, full: flags.full ?? false }, io)) && ok;
      return ok ? 0 : 1;
    });
  } catch (err) {
    if (!isGatewayError(err)) throw err;
    io.err(`ldap ${sub} failed: ${err.detail || err.publicDetail || err.publicMessage}\n`);
    return 1;
  }
}

// ---- ldap test -------------------------------------------------------------------------------

/** One readable line for a connection failure (the messages come from directory-client.ts). */
export function explainConnectFailure(message: string, s: Pick<LdapSettings, 'connectTimeoutMs' | 'timeoutMs' | 'startTls' | 'bindDn'>): string {
  if (/bind was refused/.test(message)) return `bind refused: the directory does not accept ${s.bindDn} with the configured password (check bindDn and its password: bindPasswordFile or bindPassword)`;
  if (/password is empty/.test(message)) return 'configuration: the service account password is empty';
  const detail = message.replace(/^no directory server answered: \S+: /, '').replace(/^cannot reach the directory: /, '');
  if (/^cannot reach the directory: /.test(message)) return `the directory refused ${s.startTls ? 'StartTLS or ' : ''}the service account bind: ${detail}`;
  if (/ECONNREFUSED/.test(detail)) return 'unreachable: connection refused (nothing listens on that host and port)';
  if (/ENOTFOUND|EAI_AGAIN/.test(detail)) return 'unreachable: the host name does not resolve';
  if (/EHOSTUNREACH|ENETUNREACH/.test(detail)) return 'unreachable: no route to the host';
  if (/ALTNAME|does not match certificate/i.test(detail)) return `TLS: the certificate does not name this host (set tls.serverName, or use the name it carries): ${detail}`;
  if (/CERT_HAS_EXPIRED|certificate has expired/i.test(detail)) return `TLS: the directory's certificate has expired: ${detail}`;
  if (/self.signed|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|unable to verify|certificate/i.test(detail)) return `TLS: the certificate is not signed by a trusted CA (set tls.caFile to the directory's CA): ${detail}`;
  if (/ERR_SSL|ERR_TLS|SSL routines|wrong version number|EPROTO|ECONNRESET|socket hang up/i.test(detail)) return `TLS: the handshake failed (an ldaps:// URL on a plain port, or the reverse?): ${detail}`;
  if (/Operation timed out/i.test(detail)) return `unreachable: connected, but no answer within ${s.timeoutMs / 1000} s (${detail})`;
  if (/time(d)? ?out|ETIMEDOUT/i.test(detail)) return `unreachable: no connection within ${s.connectTimeoutMs / 1000} s (${detail})`;
  return `unreachable: ${detail}`;
}

function describeTls(s: LdapSettings, url: string): string {
  const ldaps = url.toLowerCase().startsWith('ldaps://');
  if (!ldaps && !s.startTls) return 'none (plain ldap://): the service and user passwords cross the network in clear; use ldaps:// or startTls';
  const trust = s.tls.rejectUnauthorized === false ? 'certificate NOT checked (tls.verify: false)' : `certificate checked against ${s.tls.ca ? 'the configured CA' : "Node's bundled CAs"}`;
  return `${ldaps ? 'ldaps://' : 'StartTLS'}, ${trust}`;
}

/** LDAP result codes a search commonly fails with (RFC 4511 §4.1.9), in words. */
const SEARCH_RESULTS: Record<string, string> = {
  '3': 'time limit exceeded', '4': 'size limit exceeded', '11': 'administrative limit exceeded', '32': 'no such entry: the base DN does not exist',
  '50': 'insufficient access rights for the service account', '53': 'the directory is unwilling to perform it', '87': 'the filter is not valid',
};

/** "search failed …" in words, for a message from directory-client.ts. */
export function explainSearchFailure(message: string): string {
  const code = /\(LDAP result (\d+)\)/.exec(message)?.[1];
  const words = code ? SEARCH_RESULTS[code] : undefined;
  return words ? `${words} (LDAP result ${code})` : message.replace(/^(paged )?search under .*? failed: /, '').trim();
}

async function firstPage(session: DirectorySession, base: string, filter: string, attributes: string[]) {
  for await (const page of session.pages(base, filter, attributes)) return page;
  return [];
}

/** Connect to the servers in order, as the connector does, remembering which one answered. */
async function connectInOrder(s: LdapSettings, io: CliIo, fail: (line: string) => void): Promise<{ session: DirectorySession; url: string } | undefined> {
  const skipped: string[] = [];
  for (const url of s.urls) {
    try {
      const session = await openServiceSession({ ...s, urls: [url] });
      // A later server answered: the connector works, but the ones before it are down.
      for (const line of skipped) io.err(`warning: connector ${s.id}: ${line} (the next server answered)\n`);
      return { session, url };
    } catch (err) {
      const line = `${url}: ${explainConnectFailure((err as Error).message, s)}`;
      // An LDAP answer (a refused bind) stands; the connector would not try the next server either.
      if (!/: (unreachable|TLS)/.test(line)) { for (const l of [...skipped, line]) fail(l); return undefined; }
      skipped.push(line);
    }
  }
  for (const line of skipped) fail(line);
  return undefined;
}

async function testConnector(c: LdapConnectorConfig, login: string | undefined, logger: Logger, rawIo: CliIo): Promise<boolean> {
  let connector: LdapConnector;
  try {
    connector = createLdapConnector(c, { logger: logger.child({ connector: c.id }) });
  } catch (err) {
    if (!isGatewayError(err)) throw err;
    rawIo.err(`connector ${c.id}: configuration: ${err.publicDetail || err.detail || err.publicMessage}\n`);
    return false;
  }
  const s = connector.settings;
  // Belt and braces: whatever a library puts in a message, the service password is not printed.
  const scrub = (t: string) => (s.bindPassword.length >= 4 ? t.split(s.bindPassword).join('[redacted]') : t);
  const io: CliIo = { out: (t) => rawIo.out(scrub(t)), err: (t) => rawIo.err(scrub(t)) };
  let ok = true;
  const fail = (line: string) => { ok = false; io.err(`connector ${c.id}: ${line}\n`); };
  io.out(`connector ${s.id} (${s.displayName}, preset ${s.preset})\n`);
  const connected = await connectInOrder(s, io, fail);
  if (!connected) return false;
  const { session, url } = connected;
  try {
    io.out(`  server:  ${url} answered; bound as ${s.bindDn}\n  TLS:     ${describeTls(s, url)}\n`);
    const count = (n: number) => (n >= s.pageSize ? `at least ${n} (first page of ${s.pageSize})` : String(n));
    let what = `users under ${s.userBase}`;
    try {
      const users = await firstPage(session, s.userBase, s.userFilter, userAttributes(s));
      const mapped = users.map((e) => toDirectoryUser(s, e, Date.now()));
      const unusable = mapped.filter(isSkipped).length;
      const disabled = mapped.filter((u) => !isSkipped(u) && u.disabled).length;
      const notes = unusable + disabled > 0 ? `; of these ${disabled} disabled, ${unusable} unusable (no ${s.attrs.id} or ${s.attrs.username})` : '';
      io.out(`  users:   ${count(users.length)} under ${s.userBase} matching ${s.userFilter}${notes}\n`);
      what = `groups under ${s.groups.base}`;
      const groups = await firstPage(session, s.groups.base, s.groups.filter, groupAttributes(s));
      io.out(`  groups:  ${count(groups.length)} under ${s.groups.base} matching ${s.groups.filter} (nesting: ${s.groups.nesting})\n`);
    } catch (err) {
      fail(`search failed: ${what}: ${explainSearchFailure((err as Error).message)}`);
      return false;
    }
    if (login !== undefined) ok = (await showUser(connector, session, login, io, fail)) && ok;
  } finally {
    await session.close();
  }
  return ok;
}

async function showUser(connector: LdapConnector, session: DirectorySession, login: string, io: CliIo, fail: (line: string) => void): Promise<boolean> {
  const s = connector.settings;
  let entries;
  try {
    entries = await session.search(s.userBase, loginFilter(s.userFilter, s.loginAttributes, login.trim()), userAttributes(s), { paged: false });
  } catch (err) {
    fail(`search failed: users under ${s.userBase}: ${explainSearchFailure((err as Error).message)}`);
    return false;
  }
  if (entries.length !== 1) {
    fail(entries.length === 0
      ? `no entry matching ${s.userFilter} has ${s.loginAttributes.join(' or ')} = "${login}" under ${s.userBase}`
      : `"${login}" matches ${entries.length} entries; sign-in refuses an ambiguous login id`);
    return false;
  }
  const user = toDirectoryUser(s, entries[0]!, Date.now());
  if (isSkipped(user)) { fail(`${user.dn} cannot sign in: ${user.skip}`); return false; }
  const a = s.attrs;
  const row = (label: string, value: string | undefined, attr?: string) => io.out(`    ${`${label}:`.padEnd(11)} ${value ?? '(none)'}${attr ? `  (${attr})` : ''}\n`);
  io.out(`  user "${login}" (password not asked for, no bind as the user):\n`);
  row('DN', user.dn);
  row('stable id', user.id, a.id);
  row('username', user.username, a.username);
  row('e-mail', user.email || undefined, a.email);
  row('first name', user.firstName, a.firstName);
  row('last name', user.lastName, a.lastName);
  if (a.nickname) row('nickname', user.nickname, a.nickname);
  if (a.position) row('position', user.position, a.position);
  row('account', user.disabled ? `disabled: ${user.disabled} (sign-in refused; sync deactivates)` : 'enabled');
  const groups = await groupsOfUser(session, s, user);
  row('groups', `${groups.length}${s.groups.nesting === 'none' ? ' (direct only: nesting is none)' : ', nested included'}`);
  const width = Math.min(32, Math.max(0, ...groups.map((g) => g.name.length)));
  for (const g of groups) io.out(`      ${g.name.padEnd(width)}  ${g.dn}\n`);
  const identity = connector.identityOf(user, groups);
  const mapped = (flag: boolean | undefined, key: string) => (flag === undefined ? `not mapped (${key} is empty)` : flag ? `yes (member of a group in ${key})` : `no (in none of ${key})`);
  row('admin', mapped(identity.isAdmin, 'adminGroups'));
  row('guest', mapped(identity.isGuest, 'guestGroups'));
  row('roles', `${rolesFor(identity, []).join(' ')} for a new account${identity.isAdmin === undefined && identity.isGuest === undefined ? '; existing accounts keep theirs' : ''}`);
  return true;
}

// ---- ldap sync -------------------------------------------------------------------------------

/** Progress lines, at most one per `intervalMs`, plus the last count of every phase. */
export function createSyncProgress(label: string, write: (line: string) => void, now: () => number = Date.now, intervalMs = PROGRESS_INTERVAL_MS) {
  let last = Number.NEGATIVE_INFINITY;
  let phase = '';
  let pending: string | undefined;
  const emit = (line: string) => { write(`${line}\n`); last = now(); pending = undefined; };
  return {
    update(p: SyncProgress) {
      const line = `${label}: ${p.phase === 'apply' ? `apply ${p.done}/${p.total}` : `${p.phase} read: ${p.done}`}`;
      if (p.phase !== phase && pending) emit(pending);
      phase = p.phase;
      if (now() - last >= intervalMs) emit(line);
      else pending = line;
    },
    flush() { if (pending) emit(pending); },
  };
}

async function warnIfChatUnreachable(ctx: GatewayContext, io: CliIo): Promise<void> {
  const { channelIds } = await createGroupSyncables(ctx.db, ctx.now).syncTargets();
  if (channelIds.length === 0) return;
  try {
    await ctx.chat.getChannel(channelIds[0]!);
  } catch {
    io.err(`warning: chat-core at ${chatUrlOf(ctx.config)} is not reachable: links to ${channelIds.length} channel(s) are skipped this run (team links still apply); the next sync retries\n`);
  }
}

const names = (list: string[]) => (list.length > LIST_CAP ? `${list.slice(0, LIST_CAP).join(', ')} … and ${list.length - LIST_CAP} more` : list.join(', '));

async function printPlan(ctx: GatewayContext, connector: LdapConnector, p: SyncPlan, heading: string, io: CliIo, withLinks = true): Promise<void> {
  io.out(`${connector.id}: ${heading}\n`);
  const line = (verb: string, list: string[], empty = '') => io.out(`  ${verb} ${list.length}${list.length ? `: ${names(list)}` : empty}\n`);
  line('deactivate', p.deactivate.map((d) => d.username));
  line('reactivate', p.reactivate.map((d) => d.username));
  line('create', p.create.map((d) => d.username), connector.settings.sync.createUsers ? '' : ' (sync.createUsers is off: accounts appear at first sign-in)');
  line('update', p.update.map((u) => `${u.username} (${Object.keys(u.fields).join(', ')})`));
  io.out(`  group memberships: +${p.membershipsAdded} -${p.membershipsRemoved}; groups new ${p.groupsNew}, gone ${p.groupsGone}\n`);
  if (!withLinks) return;
  io.out(`  team/channel membership changes ${p.memberships.length}${p.memberships.length ? ':' : ''}\n`);
  const userIds = [...new Set(p.memberships.map((m) => m.userId))];
  const usernames = new Map<string, string>();
  for (let i = 0; i < userIds.length; i += 500) {
    for (const u of await ctx.db.selectFrom('users').select(['id', 'username']).where('id', 'in', userIds.slice(i, i + 500)).execute()) usernames.set(u.id, u.username);
  }
  const byTarget = new Map<string, string[]>();
  for (const m of p.memberships) {
    const key = `${m.kind}\u0000${m.target}`;
    (byTarget.get(key) ?? byTarget.set(key, []).get(key)!).push(usernames.get(m.userId) ?? m.userId);
  }
  for (const [key, list] of byTarget) {
    const [kind, target] = key.split('\u0000') as [string, string];
    const [where, verb] = kind.split('.') as [string, string];
    const team = where === 'team' ? await ctx.teams.get(target) : undefined;
    io.out(`    ${where} ${team ? `"${team.display_name}" (${team.name})` : target}: ${verb} ${names(list)}\n`);
  }
}

async function syncConnector(ctx: GatewayContext, connector: LdapConnector, opts: { dryRun: boolean; full: boolean }, io: CliIo): Promise<boolean> {
  const { dryRun } = opts;
  const progress = createSyncProgress(connector.id, io.err);
  let report;
  try {
    report = await runLdapSync(ctx, connector, { ...opts, onProgress: (p) => progress.update(p) });
  } catch (err) {
    if (!isGatewayError(err) || err.code !== 'LDAP_SYNC_RUNNING') throw err;
    io.err(`${connector.id}: refused: a sync of this directory is already running; wait for it to finish\n`);
    return false;
  }
  progress.flush();
  const c = report.counts;
  const seconds = ((report.endAt - report.startAt) / 1000).toFixed(1);
  const p = report.plan;
  const changes = dryRun
    ? `would create ${p.create.length}, update ${p.update.length}, deactivate ${p.deactivate.length}, reactivate ${p.reactivate.length}`
    : `created ${c.created}, updated ${c.updated}, deactivated ${c.deactivated}, reactivated ${c.reactivated}`;
  const incremental = report.kind === 'incremental';
  io.err(`${connector.id}: ${dryRun ? `dry run (${report.kind} sync)` : `${report.kind} sync`} ${report.status} in ${seconds} s: `
    + `${c.directoryUsers} ${incremental ? 'changed ' : ''}directory users (${c.skipped} skipped), ${c.groups} groups; `
    + `${changes}; group memberships +${c.membershipsAdded} -${c.membershipsRemoved}; team/channel changes ${c.teamOrChannelChanges}\n`);
  if (incremental) io.err(`${connector.id}: incremental: only entries changed since the last sync were read; users deleted from the directory, or left out by a changed userFilter, are found by a full sync (--full, or every sync.fullSyncHours)\n`);
  if (report.cycles.length > 0) io.err(`${connector.id}: group membership cycle(s), each group expanded once: ${report.cycles.join('; ')}\n`);
  if (report.status !== 'succeeded') {
    io.err(`${connector.id}: ${report.status}: ${report.reason ?? 'no reason recorded'}\n`);
    // What the valve stopped is what the operator needs to see.
    if (report.status === 'refused') await printPlan(ctx, connector, p, 'refused, nothing was changed. The sync would have:', io, false);
    return false;
  }
  if (dryRun) await printPlan(ctx, connector, p, 'dry run, nothing was changed. A sync now would:', io);
  else if (c.deactivated > 0 && !ctx.config.redis.url) {
    io.err('note: with the in-memory store a separately running server drops its cached access within 5 minutes; use POST /api/v4/ldap/sync for an immediate effect\n');
  }
  return true;
}

// ---- ldap groups -----------------------------------------------------------------------------

async function countBy(ctx: GatewayContext, table: 'group_members' | 'group_teams' | 'group_channels', ids: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < ids.length; i += 500) {
    let q = ctx.db.selectFrom(table).select((eb) => ['group_id', eb.fn.countAll<number | string>().as('n')]).where('group_id', 'in', ids.slice(i, i + 500));
    if (table !== 'group_members') q = q.where('delete_at', '=', 0);
    for (const r of await q.groupBy('group_id').execute()) out.set(r.group_id, Number(r.n));
  }
  return out;
}

async function listGroups(ctx: GatewayContext, connectors: LdapConnector[], search: string | undefined, io: CliIo): Promise<number> {
  const text = search?.trim().toLowerCase() ?? '';
  for (const connector of connectors) {
    const all = await ctx.db.selectFrom('groups').selectAll().where('source', '=', connector.id).where('delete_at', '=', 0).orderBy('display_name').orderBy('dn').execute();
    if (all.length === 0) { io.out(`${connector.id}: no directory groups yet: run \`gatehouse ldap sync${connectors.length > 1 ? ` ${connector.id}` : ''}\` first\n`); continue; }
    // Names, as the admin API searches; a text with "=" is a DN fragment such as "ou=legacy".
    const rows = text ? all.filter((g) => (text.includes('=') ? g.dn : g.display_name).toLowerCase().includes(text)) : all;
    const last = (await syncHistory(ctx, connector.id, 20)).find((r) => r.kind !== 'dry-run' && r.status === 'succeeded');
    io.out(`${connector.id}: ${rows.length} of ${all.length} groups${text ? ` matching "${search}"` : ''}; last sync ${last ? new Date(last.end_at).toISOString() : 'never (groups from sign-ins only)'}\n`);
    if (rows.length === 0) continue;
    const ids = rows.map((g) => g.id);
    const [members, teams, channels] = await Promise.all([countBy(ctx, 'group_members', ids), countBy(ctx, 'group_teams', ids), countBy(ctx, 'group_channels', ids)]);
    const w = Math.min(32, Math.max(4, ...rows.map((g) => g.display_name.length)));
    const idw = Math.max(9, ...rows.map((g) => g.external_id.length));
    io.out(`  ${'NAME'.padEnd(w)}  ${'MEMBERS'.padStart(7)}  TEAMS  CHANNELS  ${'STABLE ID'.padEnd(idw)}  DN\n`);
    for (const g of rows) {
      io.out(`  ${g.display_name.padEnd(w)}  ${String(members.get(g.id) ?? 0).padStart(7)}  ${String(teams.get(g.id) ?? 0).padStart(5)}  ${String(channels.get(g.id) ?? 0).padStart(8)}  ${g.external_id.padEnd(idw)}  ${g.dn}\n`);
    }
  }
  return 0;
}
