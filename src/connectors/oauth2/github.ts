/**
 * Step 4 (GitHub): `GET /user` for the profile, whose numeric `id` is the subject (logins can be
 * renamed and then claimed by someone else); the e-mail only from `GET /user/emails`, the primary
 * address and only when GitHub verified it (the profile's `email` is user-chosen and unverified);
 * and the organization allow-list from `GET /user/orgs`.
 * REST API docs: "Get the authenticated user", "List email addresses for the authenticated user",
 * "List organizations for the authenticated user".
 */
import type { Identity } from '../contract.js';
import { refuse, type OAuth2Context } from './context.js';
import { expectOk, fetchJson } from './fetch-json.js';
import { bearer, toIdentity } from './user-info.js';
import { readPath } from './claims.js';

/** At most this many pages of organizations (100 each) are read. */
const MAX_ORG_PAGES = 10;

function githubHeaders(accessToken: string): Record<string, string> {
  return { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', authorization: bearer(accessToken) };
}

async function primaryVerifiedEmail(ctx: OAuth2Context, accessToken: string, subject: string): Promise<string> {
  const what = 'GitHub /user/emails';
  const res = await fetchJson(ctx, what, ctx.config.emailsUrl ?? '', { headers: githubHeaders(accessToken) });
  expectOk(ctx, what, res, 'array');
  const list = res.json as unknown[];
  const found = list.find((e): e is { email: string } => {
    const o = e as Record<string, unknown> | null;
    return typeof o === 'object' && o !== null && o.primary === true && o.verified === true && typeof o.email === 'string' && o.email.includes('@');
  });
  if (!found) refuse(ctx, `GitHub user ${subject} has no verified primary e-mail (${list.length} address(es) listed)`);
  return found.email;
}

/** The next page from a `Link` header, kept to the same origin so the token goes nowhere else. */
function nextPage(link: string | null, origin: string): string | undefined {
  const next = link?.split(',').find((part) => /rel="next"/.test(part))?.match(/<([^>]+)>/)?.[1];
  return next && new URL(next).origin === origin ? next : undefined;
}

async function organizations(ctx: OAuth2Context, accessToken: string): Promise<string[]> {
  const what = 'GitHub /user/orgs';
  const first = new URL(ctx.config.orgsUrl ?? '');
  first.searchParams.set('per_page', '100');
  const logins: string[] = [];
  let url: string | undefined = first.toString();
  for (let page = 0; url && page < MAX_ORG_PAGES; page++) {
    const res = await fetchJson(ctx, what, url, { headers: githubHeaders(accessToken) });
    expectOk(ctx, what, res, 'array');
    for (const org of res.json as unknown[]) {
      const login = readPath(org, 'login');
      if (typeof login === 'string') logins.push(login);
    }
    url = nextPage(res.headers.get('link'), first.origin);
  }
  return logins;
}

function checkOrganizations(ctx: OAuth2Context, subject: string, login: unknown, orgs: string[]): void {
  const allowed = (ctx.config.allowedOrganizations ?? []).map((o) => o.toLowerCase());
  if (orgs.some((o) => allowed.includes(o.toLowerCase()))) return;
  refuse(ctx, `GitHub user ${subject} (${String(login)}) is in none of the allowed organizations (${allowed.join(', ')})`);
}

export async function githubUserInfo(ctx: OAuth2Context, accessToken: string): Promise<Identity> {
  const what = 'GitHub /user';
  const res = await fetchJson(ctx, what, ctx.config.userInfoUrl, { headers: githubHeaders(accessToken) });
  expectOk(ctx, what, res, 'object');
  const raw = res.json as Record<string, unknown>;
  const id = readPath(raw, ctx.config.claims.id);
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) refuse(ctx, `GitHub /user has no numeric id at "${ctx.config.claims.id}"`);
  const subject = String(id);
  const email = await primaryVerifiedEmail(ctx, accessToken, subject);
  let groups: string[] = [];
  if (ctx.config.allowedOrganizations) {
    groups = await organizations(ctx, accessToken);
    checkOrganizations(ctx, subject, raw.login, groups);
  }
  return toIdentity(ctx, raw, { subject, email, emailVerified: true, groups });
}
