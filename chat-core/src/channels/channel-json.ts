/** Mattermost API v4 shapes for Channel and ChannelMember. */
import type { ChannelMemberRow, ChannelRow } from '../store/schema.js';
import { memberRoles } from './access.js';

export function channelJson(row: ChannelRow) {
  return {
    id: row.id,
    create_at: row.create_at,
    update_at: row.update_at,
    delete_at: row.delete_at,
    team_id: row.team_id,
    type: row.type,
    display_name: row.display_name,
    name: row.name,
    header: row.header,
    purpose: row.purpose,
    last_post_at: row.last_post_at,
    last_root_post_at: row.last_root_post_at,
    total_msg_count: row.total_msg_count,
    total_msg_count_root: row.total_msg_count_root,
    extra_update_at: 0,
    creator_id: row.creator_id,
    scheme_id: null,
    props: null,
    group_constrained: row.group_constrained === 1,
    shared: null,
    policy_id: null,
  };
}

/** Mattermost's defaults; chat-core keeps no per-member notification settings yet. */
const DEFAULT_NOTIFY_PROPS = Object.freeze({
  desktop: 'default',
  email: 'default',
  mark_unread: 'all',
  push: 'default',
  ignore_channel_mentions: 'default',
});

export function memberJson(row: ChannelMemberRow) {
  return {
    channel_id: row.channel_id,
    user_id: row.user_id,
    roles: memberRoles(row).join(' '),
    last_viewed_at: row.last_viewed_at,
    msg_count: row.msg_count,
    msg_count_root: row.msg_count_root,
    mention_count: row.mention_count,
    mention_count_root: 0,
    urgent_mention_count: 0,
    notify_props: DEFAULT_NOTIFY_PROPS,
    last_update_at: row.last_update_at,
    scheme_user: row.scheme_user === 1 && row.scheme_guest !== 1,
    scheme_admin: row.scheme_admin === 1 && row.scheme_guest !== 1,
    scheme_guest: row.scheme_guest === 1,
    explicit_roles: row.explicit_roles,
  };
}
