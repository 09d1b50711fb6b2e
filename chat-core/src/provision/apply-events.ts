/**
 * Applies provisioning events in order inside one transaction: all of them or none. An event that
 * cannot apply (an unknown channel, a user the mirror has never heard of, a public channel marked
 * group-constrained) rolls the batch back.
 */
import type { ProvisionEvent } from '../../contract.js';
import { newMemberRow } from '../channels/add-member.js';
import { ChatError } from '../http/chat-error.js';
import type { ChatServices } from '../services.js';
import { findChannel, setChannelGroupConstrained } from '../store/channels.js';
import type { ChatDatabase } from '../store/database.js';
import type { ChannelRow } from '../store/schema.js';
import { addMember, removeMember, removeMemberFromTeamChannels, setMemberSchemeAdmin, setMembershipsGuest } from '../store/members.js';
import { findUser, removeTeamMember, setUserDeactivated, upsertUser } from '../store/users.js';

export interface AppliedBatch {
  applied: number;
  /** Users whose mirror rows changed (node caches must forget them). */
  touchedUsers: Set<string>;
  /** Users now deactivated (their websockets must close). */
  deactivatedUsers: Set<string>;
  /** Channels whose own fields changed (their members hear `channel_updated` after commit). */
  updatedChannels: Set<string>;
}

/** The caller is the gateway itself, so the failing event is named in `detailed_error`. */
function eventError(index: number, id: string, message: string): ChatError {
  const where = `events[${index}]: ${message}`;
  return new ChatError(400, id, 'A provisioning event cannot be applied; nothing was applied.', where, where);
}

export async function applyEvents(services: ChatServices, events: readonly ProvisionEvent[]): Promise<AppliedBatch> {
  const batch: AppliedBatch = { applied: 0, touchedUsers: new Set(), deactivatedUsers: new Set(), updatedChannels: new Set() };
  await services.db.transaction().execute(async (trx) => {
    for (const [index, event] of events.entries()) {
      await applyOne(trx, services.now(), event, index, batch);
      batch.applied += 1;
    }
  });
  return batch;
}

async function applyOne(db: ChatDatabase, at: number, event: ProvisionEvent, index: number, batch: AppliedBatch): Promise<void> {
  switch (event.type) {
    case 'user.upserted': {
      const { user } = event;
      const before = await findUser(db, user.id);
      await upsertUser(db, { id: user.id, username: user.username, display_name: user.display_name, guest: user.guest ? 1 : 0, deactivated: user.deactivated ? 1 : 0, update_at: at });
      // Promoted or demoted: the channel memberships' guest flags follow.
      if (before && (before.guest === 1) !== user.guest) await setMembershipsGuest(db, user.id, user.guest, at);
      batch.touchedUsers.add(user.id);
      if (user.deactivated) batch.deactivatedUsers.add(user.id);
      return;
    }
    case 'user.deactivated':
      await setUserDeactivated(db, event.user_id, at);
      batch.touchedUsers.add(event.user_id);
      batch.deactivatedUsers.add(event.user_id);
      return;
    case 'channel.member_added':
      return addChannelMember(db, at, event, index);
    case 'channel.member_removed':
      await removeMember(db, event.channel_id, event.user_id);
      return;
    case 'team.member_added':
      // A user chat-core has never seen gets their teams from their first assertion: nothing to do.
      if (!(await findUser(db, event.user_id))) return;
      await db.insertInto('team_members').values({ team_id: event.team_id, user_id: event.user_id })
        .onConflict((oc) => oc.columns(['team_id', 'user_id']).doNothing()).execute();
      batch.touchedUsers.add(event.user_id);
      return;
    case 'team.member_removed':
      await removeMemberFromTeamChannels(db, event.team_id, event.user_id);
      await removeTeamMember(db, event.team_id, event.user_id);
      batch.touchedUsers.add(event.user_id);
      return;
    case 'channel.constrained':
      if (await constrainChannel(db, at, event, index)) batch.updatedChannels.add(event.channel_id);
      return;
  }
}

async function liveChannel(db: ChatDatabase, channelId: string, index: number): Promise<ChannelRow> {
  const channel = await findChannel(db, channelId);
  if (!channel || channel.delete_at > 0) throw eventError(index, 'provision.channel_not_found', `no live channel ${channelId}`);
  return channel;
}

/**
 * Only a private channel can be constrained; unconstraining a public one (never constrained) is a
 * no-op, so a sync unlinking groups need not know the channel's type. Returns true when it changed.
 */
async function constrainChannel(
  db: ChatDatabase, at: number, event: Extract<ProvisionEvent, { type: 'channel.constrained' }>, index: number,
): Promise<boolean> {
  const channel = await liveChannel(db, event.channel_id, index);
  if (event.group_constrained && channel.type !== 'P') {
    throw eventError(index, 'provision.invalid_request', `channel ${channel.id} is public; only a private channel can be group-constrained`);
  }
  const flag = event.group_constrained ? 1 : 0;
  if (channel.group_constrained === flag) return false;
  await setChannelGroupConstrained(db, channel.id, flag, at);
  return true;
}

async function addChannelMember(
  db: ChatDatabase, at: number, event: Extract<ProvisionEvent, { type: 'channel.member_added' }>, index: number,
): Promise<void> {
  // Never refused for group_constrained: this event is how group sync fills a constrained channel.
  const channel = await liveChannel(db, event.channel_id, index);
  if (channel.type !== 'O' && channel.type !== 'P') {
    throw eventError(index, 'provision.invalid_request', `channel ${channel.id} is a direct or group message; its members never change`);
  }
  const user = await findUser(db, event.user_id);
  if (!user) throw eventError(index, 'provision.user_not_found', `user ${event.user_id} is not mirrored; send user.upserted first`);
  const admin = event.scheme_admin ?? false;
  const member = await addMember(db, newMemberRow(channel.id, user.id, user.guest === 1, at, admin));
  if (event.scheme_admin !== undefined && (member.scheme_admin === 1) !== admin) await setMemberSchemeAdmin(db, channel.id, user.id, admin, at);
  // The gateway placing a user in a team's channel vouches for their team membership.
  await db.insertInto('team_members').values({ team_id: channel.team_id, user_id: user.id })
    .onConflict((oc) => oc.columns(['team_id', 'user_id']).doNothing()).execute();
}
