/**
 * The users directory Mattermost clients read: `POST /users/ids`, `POST /users/usernames`,
 * `GET /users/username/{username}`, `POST /users/search`, `GET /users/autocomplete`. Members see
 * everyone (`view_members`); a guest sees only themself and the people they share a channel with
 * (chat-core answers; no answer means no one). E-mail only for oneself and admins.
 */
import type { Request } from 'express';
import type { GatewayContext } from '../context.js';
import type { RouteSpec } from '../authz/route-table.js';
import { decide } from '../authz/decide.js';
import { sendJson } from '../errors/respond.js';
import { GatewayError } from '../errors/gateway-error.js';
import { toMattermostUser, type UserRow } from './users.js';
import { visibleUsers } from './visibility.js';

const MAX_LIST = 200;
const MAX_RESULTS = 100;

export function userDirectoryRoutes(ctx: GatewayContext): RouteSpec[] {
  const visible = (req: Request, rows: UserRow[]) => visibleUsers(ctx, req.principal!, rows);
  const json = (req: Request, u: UserRow) => toMattermostUser(u, { sanitized: !(u.id === req.principal!.userId || decide(ctx.authorizer, req.principal!, 'manage_system')) });
  const stringList = (value: unknown, field: string): string[] => {
    if (!Array.isArray(value) || value.length > MAX_LIST || value.some((v) => typeof v !== 'string')) {
      throw new GatewayError('REQUEST_INVALID_PARAM', { message: `The body must be a list of at most ${MAX_LIST} ${field}.` });
    }
    return [...new Set(value as string[])];
  };
  const search = async (term: string): Promise<UserRow[]> => {
    const t = term.trim().toLowerCase().replace(/^@/, '').replace(/[%_\\]/g, '');
    if (t === '') return [];
    const like = `${t}%`;
    return ctx.db.selectFrom('users').selectAll().where('delete_at', '=', 0)
      .where((eb) => eb.or([eb('username', 'like', like), eb('first_name', 'like', like), eb('last_name', 'like', like), eb('nickname', 'like', like)]))
      .orderBy('username').limit(MAX_RESULTS * 3).execute();
  };
  return [
    {
      method: 'post', path: '/api/v4/users/ids', access: { kind: 'authenticated' },
      async handler(req, res) {
        const ids = stringList(req.body, 'user ids');
        const rows = ids.length === 0 ? [] : await ctx.db.selectFrom('users').selectAll().where('id', 'in', ids).execute();
        sendJson(res, 200, (await visible(req, rows)).map((u) => json(req, u)));
      },
    },
    {
      method: 'post', path: '/api/v4/users/usernames', access: { kind: 'authenticated' },
      async handler(req, res) {
        const names = stringList(req.body, 'usernames').map((n) => n.toLowerCase());
        const rows = names.length === 0 ? [] : await ctx.db.selectFrom('users').selectAll().where('username', 'in', names).execute();
        sendJson(res, 200, (await visible(req, rows)).map((u) => json(req, u)));
      },
    },
    {
      method: 'get', path: '/api/v4/users/username/:username', access: { kind: 'authenticated' },
      async handler(req, res) {
        const row = await ctx.db.selectFrom('users').selectAll().where('username', '=', String(req.params.username).toLowerCase()).executeTakeFirst();
        const [shown] = row ? await visible(req, [row]) : [];
        // Someone the caller may not see answers exactly like someone who does not exist.
        if (!shown) throw new GatewayError('USER_NOT_FOUND');
        sendJson(res, 200, json(req, shown));
      },
    },
    {
      method: 'post', path: '/api/v4/users/search', access: { kind: 'authenticated' },
      async handler(req, res) {
        const term = (req.body as { term?: unknown } | undefined)?.term;
        if (typeof term !== 'string' || term.length > 64) throw new GatewayError('REQUEST_INVALID_PARAM', { message: 'term must be a string of at most 64 characters.', publicDetail: 'term' });
        sendJson(res, 200, (await visible(req, await search(term))).slice(0, MAX_RESULTS).map((u) => json(req, u)));
      },
    },
    {
      method: 'get', path: '/api/v4/users/autocomplete', access: { kind: 'authenticated' },
      async handler(req, res) {
        const name = typeof req.query.name === 'string' ? req.query.name : '';
        if (name.length > 64) throw new GatewayError('REQUEST_INVALID_PARAM', { message: 'name must be at most 64 characters.', publicDetail: 'name' });
        const users = (await visible(req, await search(name))).slice(0, MAX_RESULTS).map((u) => json(req, u));
        sendJson(res, 200, { users, out_of_channel: [] });
      },
    },
  ];
}
