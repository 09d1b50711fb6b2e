/** Outgoing webhooks fired by a new post. (Seam; the webhooks work fills it in.) */
import type { ChatServices } from '../services.js';
import type { ChannelRow, PostRow } from '../store/schema.js';

/**
 * Called once per committed post, after the response: fire-and-forget, never throws. Posts made by
 * webhooks (props.from_webhook) do not trigger.
 */
export function triggerOutgoingWebhooks(_services: ChatServices, _channel: ChannelRow, _post: PostRow, _username: string): void {}
