/** Who may upload to a channel: a member of a live channel holding `upload_file` there (after moderation). */
import type { AssertionClaims } from '../../contract.js';
import { loadChannelAccess, requireChannelPermission } from '../channels/access.js';
import { forbidden } from '../http/chat-error.js';
import type { ChatServices } from '../services.js';

export async function requireUploadAccess(services: ChatServices, claims: AssertionClaims, channelId: string): Promise<void> {
  const access = await loadChannelAccess(services, claims, channelId);
  if (!access.member) throw forbidden('uploading requires channel membership');
  if (access.channel.delete_at > 0) throw forbidden(`channel ${channelId} is archived`);
  requireChannelPermission(services.authz, access, 'upload_file');
}

/** Runs the check once, however many files ask for it. */
export function uploadAccessOnce(services: ChatServices, claims: AssertionClaims): (channelId: string) => Promise<void> {
  let checked: Promise<void> | undefined;
  return (channelId) => (checked ??= requireUploadAccess(services, claims, channelId));
}
