/**
 * Who a post mentions, computed on the server: `@username` for members of the channel, and
 * `@channel` / `@all` / `@here` for every member when the poster may use channel mentions. In a
 * direct or group channel every post mentions the other members, as Mattermost counts them.
 * `@here` counts like `@channel`: which members are online is not known across nodes.
 */
import type { ChatDatabase } from '../store/database.js';
import type { ChannelRow } from '../store/schema.js';

const MENTION = /(?:^|[^\p{L}\p{N}_@.-])@([a-z0-9][a-z0-9._-]{0,63})/giu;
const CHANNEL_WIDE = new Set(['channel', 'all', 'here']);
/** Enough for any real message; a post naming more people mentions the first this many. */
const MAX_NAMES = 200;

export interface MentionScan {
  usernames: string[];
  channelWide: boolean;
}

export function scanMentions(message: string): MentionScan {
  const names = new Set<string>();
  let channelWide = false;
  for (const match of message.matchAll(MENTION)) {
    // A sentence may end right after a name: "thanks @alice." mentions alice.
    const name = match[1]!.toLowerCase().replace(/[._-]+$/, '');
    if (CHANNEL_WIDE.has(name)) channelWide = true;
    else if (name !== '' && names.size < MAX_NAMES) names.add(name);
  }
  return { usernames: [...names], channelWide };
}

/** Member ids (never the author) the post mentions. */
export async function mentionedMembers(
  db: ChatDatabase, channel: ChannelRow, authorId: string, message: string, channelMentions: boolean,
): Promise<string[]> {
  const scan = scanMentions(message);
  const everyone = channel.type === 'D' || channel.type === 'G' || (scan.channelWide && channelMentions);
  let query = db.selectFrom('channel_members').innerJoin('users', 'users.id', 'channel_members.user_id')
    .select('channel_members.user_id').where('channel_members.channel_id', '=', channel.id)
    .where('channel_members.user_id', '!=', authorId).where('users.deactivated', '=', 0);
  if (!everyone) {
    if (scan.usernames.length === 0) return [];
    query = query.where('users.username', 'in', scan.usernames);
  }
  const rows = await query.execute();
  return rows.map((row) => row.user_id);
}
