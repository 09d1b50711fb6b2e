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

/** Open, private, direct (two people), group (three to eight people): Mattermost's channel types. */
export type ChannelType = 'O' | 'P' | 'D' | 'G';

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
  /**
   * JSON text of the channel's moderation overrides: `{permission: {members?: false, guests?: false}}`
   * for the moderated permissions (create_post, create_reactions, manage_members,
   * use_channel_mentions). Absent means the scheme decides; only removals are stored.
   */
  moderations: string;
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
  /** JSON text of the attached file ids (an array, at most 10). */
  file_ids: string;
  has_reactions: Flag;
}

export interface ReactionRow {
  post_id: string;
  user_id: string;
  emoji_name: string;
  channel_id: string;
  create_at: number;
}

export interface EmojiRow {
  id: string;
  creator_id: string;
  name: string;
  /** Store key of the image. */
  path: string;
  mime_type: string;
  create_at: number;
  update_at: number;
  delete_at: number;
}

export interface FileInfoRow {
  id: string;
  creator_id: string;
  /** The channel the upload was made for; only its readers may download. */
  channel_id: string;
  /** '' until a post attaches the file. */
  post_id: string;
  name: string;
  extension: string;
  size: number;
  /** The type the content was sniffed as, never the type the client claimed. */
  mime_type: string;
  width: number;
  height: number;
  /** Store key of the content. */
  path: string;
  create_at: number;
  update_at: number;
  delete_at: number;
}

export interface IncomingWebhookRow {
  id: string;
  channel_id: string;
  team_id: string;
  /** The hook posts as this user. */
  user_id: string;
  display_name: string;
  description: string;
  username: string;
  icon_url: string;
  /** 1: the payload may not redirect the post to another channel. */
  channel_locked: Flag;
  create_at: number;
  update_at: number;
  delete_at: number;
}

export interface OutgoingWebhookRow {
  id: string;
  /** AES-256-GCM sealed token, sent to the callback and used to sign it (never stored in clear). */
  token_sealed: string;
  creator_id: string;
  team_id: string;
  /** '' for every public channel of the team. */
  channel_id: string;
  /** JSON text array. */
  trigger_words: string;
  /** 0: the first word must equal a trigger word; 1: start with one. */
  trigger_when: number;
  /** JSON text array of http(s) URLs. */
  callback_urls: string;
  display_name: string;
  description: string;
  content_type: string;
  username: string;
  icon_url: string;
  create_at: number;
  update_at: number;
  delete_at: number;
}

export interface ChatSchema {
  users: UserRow;
  team_members: TeamMemberRow;
  channels: ChannelRow;
  channel_members: ChannelMemberRow;
  posts: PostRow;
  reactions: ReactionRow;
  emoji: EmojiRow;
  file_infos: FileInfoRow;
  incoming_webhooks: IncomingWebhookRow;
  outgoing_webhooks: OutgoingWebhookRow;
}

