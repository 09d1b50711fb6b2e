/**
 * Type checks for the claims jose does not know about. A malformed claim is a refusal: the
 * gateway signs exactly the contract's shape, so anything else is a bug or an attack.
 */
import type { JWTPayload } from 'jose';
import { ASSERTION_AUDIENCE, type AssertionClaims } from '../../contract.js';
import { isExternalId } from '../store/ids.js';
import { AssertionError } from './assertion-error.js';

const MAX_ROLES = 32;
const ROLE_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

function refuse(claim: string, problem: string): never {
  throw new AssertionError('ASSERTION_CLAIM', `"${claim}" ${problem}`);
}

function boundedString(payload: JWTPayload, claim: string, min: number, max: number): string {
  const value = payload[claim];
  if (typeof value !== 'string' || value.length < min || value.length > max || value.includes('\u0000')) {
    refuse(claim, `must be a string of ${min}-${max} characters`);
  }
  return value;
}

/** Role names already seen valid: the same few role names arrive in every assertion. */
const KNOWN_GOOD_ROLES = new Set<string>();

function roleList(value: unknown, claim: string): string[] {
  if (!Array.isArray(value) || value.length > MAX_ROLES) refuse(claim, 'must be an array of roles');
  for (let i = 0; i < value.length; i += 1) {
    const role: unknown = value[i];
    if (typeof role === 'string' && KNOWN_GOOD_ROLES.has(role)) continue;
    if (typeof role !== 'string' || !ROLE_PATTERN.test(role)) refuse(claim, 'must hold role names only');
    if (KNOWN_GOOD_ROLES.size < 256) KNOWN_GOOD_ROLES.add(role);
  }
  return value as string[];
}

/** Null-prototype copy, so a team id such as `__proto__` or `constructor` can never look like a membership. */
function teamMap(value: unknown): Record<string, string[]> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) refuse('teams', 'must be an object');
  const teams = Object.create(null) as Record<string, string[]>;
  const source = value as Record<string, unknown>;
  for (const teamId in source) {
    if (!Object.hasOwn(source, teamId)) continue;
    if (!isExternalId(teamId)) refuse('teams', 'has an invalid team id');
    teams[teamId] = roleList(source[teamId], 'teams');
  }
  return teams;
}

function stringList(value: unknown, claim: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > MAX_ROLES || value.some((v) => typeof v !== 'string')) refuse(claim, 'must be an array of strings');
  return value as string[];
}

export function parseAssertionClaims(payload: JWTPayload): AssertionClaims {
  if (!isExternalId(payload.sub)) refuse('sub', 'must be a user id');
  if (typeof payload.guest !== 'boolean') refuse('guest', 'must be a boolean');
  const authTime = payload.auth_time ?? payload.iat;
  if (typeof authTime !== 'number' || !Number.isFinite(authTime)) refuse('auth_time', 'must be a number');
  return Object.freeze({
    iss: payload.iss as string,
    aud: ASSERTION_AUDIENCE,
    sub: payload.sub,
    sid: boundedString(payload, 'sid', 1, 128),
    iat: payload.iat as number,
    exp: payload.exp as number,
    jti: boundedString(payload, 'jti', 1, 128),
    username: boundedString(payload, 'username', 1, 64),
    name: boundedString(payload, 'name', 0, 256),
    roles: roleList(payload.roles, 'roles'),
    teams: teamMap(payload.teams),
    guest: payload.guest,
    amr: stringList(payload.amr, 'amr'),
    auth_time: authTime,
  });
}

/** The team roles the assertion grants in `teamId`, or undefined when it names no such team. */
export function teamRolesOf(claims: AssertionClaims, teamId: string): string[] | undefined {
  return Object.hasOwn(claims.teams, teamId) ? claims.teams[teamId] : undefined;
}
