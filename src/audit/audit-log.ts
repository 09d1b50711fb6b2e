/**
 * The audit log: one typed emitter, events named `noun.verb_past`, stored in SQL and mirrored to the
 * log. Details never carry secrets (callers pass ids and reasons, not tokens or passwords).
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { GatewayDatabase } from '../store/sql/schema.js';

export type AuditEvent =
  | 'login.succeeded' | 'login.failed' | 'login.locked'
  | 'logout.succeeded'
  | 'session.revoked' | 'session.revoked_all'
  | 'user.created' | 'user.deactivated' | 'user.reactivated' | 'user.roles_changed'
  | 'team.created' | 'team.member_added' | 'team.member_removed' | 'team.member_roles_changed'
  | 'access_token.created' | 'access_token.revoked'
  | 'bot.created' | 'bot.patched' | 'bot.disabled' | 'bot.enabled' | 'bot.assigned'
  | 'keys.rotated' | 'setup.admin_created'
  | 'group.link_created' | 'group.link_deleted' | 'team.patched' | 'channel.member_added' | 'channel.member_removed'
  | 'sync.succeeded' | 'sync.refused' | 'sync.failed'
  | 'invitation.created' | 'invitation.revoked' | 'invitation.accepted' | 'guest.expired'
  | 'mfa.activated' | 'mfa.deactivated' | 'mfa.reset' | 'mfa.failed' | 'mfa.locked' | 'mfa.recovery_code_used' | 'mfa.recovery_codes_regenerated' | 'mfa.verified';

export interface AuditEntry {
  actorId?: string;
  subjectId?: string;
  ip?: string;
  details?: Record<string, string | number | boolean>;
}

export function createAuditLog(db: Kysely<GatewayDatabase>, logger: Logger, now: () => number) {
  const log = logger.child({ component: 'audit' });
  return {
    async record(event: AuditEvent, entry: AuditEntry = {}): Promise<void> {
      const row = { at: now(), event, actor_id: entry.actorId ?? '', subject_id: entry.subjectId ?? '', ip: entry.ip ?? '', details: JSON.stringify(entry.details ?? {}) };
      log.info({ event, actor_id: row.actor_id, subject_id: row.subject_id, ip: row.ip, details: entry.details }, event);
      await db.insertInto('audit_log').values(row).execute();
    },
    async recent(limit = 100) {
      return db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit).execute();
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
