/**
 * POST /api/v4/teams/{team_id}/posts/search and POST /api/v4/posts/search (every team of the
 * caller), as Client4's searchPostsWithParams calls them. The answer is Mattermost's
 * PostSearchResults, newest first; `matches` is null, as from Mattermost's database search.
 */
import type { RequestHandler, Router } from 'express';
import { requirePermission, requireTeamRoles } from '../channels/access.js';
import { externalIdParam } from '../http/params.js';
import { claimsOf } from '../http/request-context.js';
import { sendJson } from '../http/send-json.js';
import { decoratedPosts, type PostJson } from '../posts/post-json.js';
import type { ChatServices } from '../services.js';
import { parseSearchBody } from './search-body.js';
import { searchableTeams } from './search-scope.js';
import { searchPosts, type SearchPage } from './search-posts.js';

type TeamsFor = (req: Parameters<RequestHandler>[0], res: Parameters<RequestHandler>[1]) => string[];

async function searchResults(services: ChatServices, page: SearchPage) {
  const posts: Record<string, PostJson> = Object.fromEntries(await decoratedPosts(services.db, page.rows));
  return {
    order: page.rows.map((row) => row.id),
    posts,
    matches: null,
    next_post_id: '',
    prev_post_id: '',
    has_next: page.hasNext,
    first_inaccessible_post_time: 0,
  };
}

function searchHandler(services: ChatServices, teamsFor: TeamsFor): RequestHandler {
  return async (req, res) => {
    const claims = claimsOf(res);
    const teamIds = teamsFor(req, res);
    const body = parseSearchBody(req.body);
    const page = await searchPosts(services, claims, { ...body, teamIds });
    sendJson(res, 200, await searchResults(services, page));
  };
}

export function registerSearchRoutes(router: Router, services: ChatServices): void {
  // As Mattermost: the team must be the caller's and allow view_team, or the answer is 403.
  router.post('/teams/:team_id/posts/search', searchHandler(services, (req, res) => {
    const claims = claimsOf(res);
    const teamId = externalIdParam(req, 'team_id');
    requirePermission(services.authz, [...claims.roles, ...requireTeamRoles(claims, teamId)], 'view_team');
    return [teamId];
  }));
  router.post('/posts/search', searchHandler(services, (_req, res) => searchableTeams(services, claimsOf(res))));
}
