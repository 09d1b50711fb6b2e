/**
 * The published contract between the gateway and chat-core.
 *
 * This is the only chat-core module the gateway may import. It holds types and constants,
 * never behaviour: chat-core trusts nothing but assertions signed by the gateway's keys.
 */

/**
 * JOSE `typ` of a per-session user assertion. Every assertion (user or provisioning) must carry
 * the `kid` of a key in the gateway JWKS; chat-core refuses a header without one.
 */
export const ASSERTION_TYP = 'gatehouse-assertion+jwt';
/** JOSE `typ` of a gateway→chat-core provisioning assertion (never accepted as a user). */
export const PROVISION_TYP = 'gatehouse-provision+jwt';
/** `aud` of every assertion chat-core accepts. */
export const ASSERTION_AUDIENCE = 'chat-core';
/** The longest life an assertion may have, in seconds (DESIGN.md: exp ≤ 5 min). */
export const ASSERTION_MAX_AGE_SECONDS = 300;
/** The algorithms a deployment may choose for assertions; chat-core pins the configured one. */
export type AssertionAlgorithm = 'EdDSA' | 'ES256';

/** Claims of a user assertion, minted per session by the gateway. */
export interface AssertionClaims {
  /** Gateway site URL. */
  iss: string;
  aud: typeof ASSERTION_AUDIENCE;
  /** User id. */
  sub: string;
  /** Session id (not the session token). */
  sid: string;
  iat: number;
  exp: number;
  jti: string;
  username: string;
  name: string;
  /** System roles, e.g. `['system_user']`, `['system_admin','system_user']`, `['system_guest']`. */
  roles: string[];
  /** Team id → team roles (`team_user`, `team_admin`, `team_guest`) for every team the user belongs to. */
  teams: Record<string, string[]>;
  guest: boolean;
  /** Authentication methods references (RFC 8176), e.g. `['pwd']`, `['pwd','otp']`. */
  amr: string[];
  /** Seconds since epoch when the user authenticated. */
  auth_time: number;
}

/** Claims of a provisioning assertion. */
export interface ProvisionClaims {
  iss: string;
  aud: typeof ASSERTION_AUDIENCE;
  sub: 'gatehouse';
  scope: 'provision';
  iat: number;
  exp: number;
  jti: string;
}

/** The user mirror chat-core keeps for mentions and display. */
export interface MirroredUser {
  id: string;
  username: string;
  display_name: string;
  guest: boolean;
  deactivated: boolean;
}

/** Path of chat-core's provisioning endpoint, on its internal port. */
export const PROVISION_PATH = '/provision/v1/events';

/**
 * One provisioning event; the endpoint takes `{ events: ProvisionEvent[] }` and applies them in
 * order, in one transaction: all or nothing. `channel.member_added` needs the user mirrored
 * already (an earlier `user.upserted`, in the same batch or before) and a live channel;
 * removals of absent members and deactivation of unknown users are no-ops. A `user.upserted` that
 * changes `guest` (promote / demote) rewrites that user's channel memberships: guest-only, or user.
 */
export type ProvisionEvent =
  | { type: 'user.upserted'; user: MirroredUser }
  | { type: 'user.deactivated'; user_id: string }
  | { type: 'channel.member_added'; channel_id: string; user_id: string; scheme_admin?: boolean }
  | { type: 'channel.member_removed'; channel_id: string; user_id: string }
  /**
   * The user joined a team: they may now be added to its channels before they ever use chat. A no-op
   * for a user not mirrored yet (their first assertion names their teams), so a sync may send it freely.
   */
  | { type: 'team.member_added'; team_id: string; user_id: string }
  | { type: 'team.member_removed'; team_id: string; user_id: string }
  /**
   * Mark a private channel group-constrained (or not). While constrained, chat-core refuses every
   * member add through its API: only the gateway's group sync (`channel.member_added`) adds members.
   * Refused for a public or unknown channel (`provision.channel_not_found` / `provision.invalid_request`).
   */
  | { type: 'channel.constrained'; channel_id: string; group_constrained: boolean };

export interface ProvisionRequest {
  events: ProvisionEvent[];
}

export interface ProvisionResponse {
  applied: number;
}

/**
 * `GET {PROVISION_CHANNEL_PATH}/{channel_id}` on chat-core's internal port, with a provisioning
 * assertion: one channel as group sync needs it, every member included. 404 (`provision.channel_not_found`)
 * for an unknown or deleted channel.
 */
export const PROVISION_CHANNEL_PATH = '/provision/v1/channels';

export interface ProvisionChannel {
  id: string;
  team_id: string;
  type: 'O' | 'P';
  name: string;
  display_name: string;
  group_constrained: boolean;
  members: { user_id: string; scheme_admin: boolean }[];
}

/**
 * `GET {PROVISION_SHARED_PATH}?user_id=A&other_id=B[&other_id=C…]` (at most MAX_SHARED_QUERY other
 * ids), with a provisioning assertion: which of the others share at least one live channel with A
 * (`ProvisionShared`). The gateway asks before it shows a guest other people.
 */
export const PROVISION_SHARED_PATH = '/provision/v1/shared-channel';
export const MAX_SHARED_QUERY = 200;

export interface ProvisionShared {
  /** The other ids that share a live channel with user_id. */
  shared_ids: string[];
}

/** The most events one provisioning request may carry; split larger syncs. */
export const MAX_PROVISION_EVENTS = 1000;

/**
 * `id` of a 400 from the provisioning endpoint (Mattermost-shaped error body; `detailed_error`
 * names the offending `events[i]`). Nothing of the batch was applied.
 */
export type ProvisionErrorId = 'provision.invalid_request' | 'provision.channel_not_found' | 'provision.user_not_found';

/** chat-core's websocket path; the gateway proxies the upgrade with the assertion attached. */
export const CHAT_WEBSOCKET_PATH = '/api/v4/websocket';

/** chat-core's unauthenticated probes on its internal port: liveness, and database readiness. */
export const CHAT_HEALTH_PATH = '/healthz';
export const CHAT_READY_PATH = '/readyz';

/**
 * chat-core API paths (below `/api/v4`) the gateway forwards, with the caller's assertion. Anything
 * else under `/api/v4` is served, or refused, by the gateway itself.
 */
export const CHAT_ROUTE_PREFIXES = [
  '/api/v4/channels', '/api/v4/posts', '/api/v4/reactions', '/api/v4/files', '/api/v4/emoji', '/api/v4/hooks',
] as const;
/**
 * User- and team-scoped chat paths: `/teams/{team_id}/channels…`, `/teams/{team_id}/posts/search`,
 * `/users/{user_id}/teams/{team_id}/channels…`, `/users/{user_id}/channels…` (every channel, unread
 * counts) and `/users/{user_id}/posts/{post_id}/reactions/{emoji_name}`.
 */
export const CHAT_ROUTE_PATTERNS: readonly RegExp[] = [
  /^\/api\/v4\/(?:users\/[^/]+\/)?teams\/[^/]+\/channels(?:\/|$)/,
  /^\/api\/v4\/teams\/[^/]+\/posts\/search$/,
  /^\/api\/v4\/users\/[^/]+\/channels(?:\/|$)/,
  /^\/api\/v4\/users\/[^/]+\/posts\/[^/]+\/reactions\/[^/]+$/,
];

/**
 * Incoming webhooks: `POST {INCOMING_HOOK_PREFIX}{hook_id}` with a Slack-compatible payload. The hook
 * id is the credential (as in Mattermost), so the gateway forwards these without an assertion, and
 * rate-limits them; chat-core posts as the hook's owner if that user is still active and may post.
 */
export const INCOMING_HOOK_PREFIX = '/hooks/';
