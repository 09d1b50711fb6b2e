/**
 * Row types of chat-core's own database. Booleans are stored as 0/1 integers so one set of
 * migrations and queries serves SQLite (which binds no booleans) and PostgreSQL alike;
 * timestamps are milliseconds since the epoch (bigint on PostgreSQL, parsed back to number).
 */
export type Flag = 0 | 1;

export interface UserRow {
  id: string;
  username: string;
  display_name: string;
  guest: Flag;
  deactivated: Flag;
  update_at: number;
}

/** Team membership as last asserted by the gateway; used to check who may be added to a channel. */
export interface TeamMemberRow {
  team_id: string;
  user_id: string;
}

export type ChannelType = 'O' | 'P';

export interface ChannelRow {
  id: string;
  team_id: string;
  type: ChannelType;
  name: string;
  display_name: string;
  purpose: string;
  header: string;
  creator_id: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  last_post_at: number;
  last_root_post_at: number;
  total_msg_count: number;
  total_msg_count_root: number;
  /** 1 while the gateway's group sync owns the membership (a private channel only); API adds are refused. */
  group_constrained: Flag;
}

export interface ChannelMemberRow {
  channel_id: string;
  user_id: string;
  explicit_roles: string;
  scheme_user: Flag;
  scheme_admin: Flag;
  scheme_guest: Flag;
  last_viewed_at: number;
  msg_count: number;
  msg_count_root: number;
  mention_count: number;
  last_update_at: number;
}

export interface PostRow {
  id: string;
  channel_id: string;
  user_id: string;
  root_id: string;
  message: string;
  type: string;
  /** JSON text of the post's props object. */
  props: string;
  is_pinned: Flag;
  create_at: number;
  update_at: number;
  edit_at: number;
  delete_at: number;
}

export interface ChatSchema {
  users: UserRow;
  team_members: TeamMemberRow;
  channels: ChannelRow;
  channel_members: ChannelMemberRow;
  posts: PostRow;
}

