/** The provisioning request body (contract.ts `ProvisionRequest`), validated as a whole. */
import { z } from 'zod';
import { MAX_PROVISION_EVENTS, type ProvisionEvent } from '../../contract.js';
import { isExternalId, isId } from '../store/ids.js';

const externalId = z.string().refine(isExternalId, 'must be an id');
const channelId = z.string().refine(isId, 'must be a channel id');

const text = (min: number, max: number) => z.string().min(min).max(max).refine((v) => !v.includes('\u0000'), 'must not contain NUL');

const mirroredUser = z.object({
  id: externalId,
  username: text(1, 64),
  display_name: text(0, 256),
  guest: z.boolean(),
  deactivated: z.boolean(),
});

const event = z.discriminatedUnion('type', [
  z.object({ type: z.literal('user.upserted'), user: mirroredUser }),
  z.object({ type: z.literal('user.deactivated'), user_id: externalId }),
  z.object({ type: z.literal('channel.member_added'), channel_id: channelId, user_id: externalId, scheme_admin: z.boolean().optional() }),
  z.object({ type: z.literal('channel.member_removed'), channel_id: channelId, user_id: externalId }),
  z.object({ type: z.literal('team.member_added'), team_id: externalId, user_id: externalId }),
  z.object({ type: z.literal('team.member_removed'), team_id: externalId, user_id: externalId }),
  z.object({ type: z.literal('channel.constrained'), channel_id: channelId, group_constrained: z.boolean() }),
]);

export const provisionRequestSchema = z.object({ events: z.array(event).max(MAX_PROVISION_EVENTS) });

/** Compile-time check that the schema and the published contract agree. */
export type ParsedProvisionEvent = z.infer<typeof event>;
const _agrees: ProvisionEvent extends ParsedProvisionEvent ? (ParsedProvisionEvent extends ProvisionEvent ? true : never) : never = true;
void _agrees;
