/** Channel and channel-member routes under /api/v4 (the gateway forwards exactly these prefixes). */
import type { Router } from 'express';
import type { ChatServices } from '../services.js';
import { addMemberHandler } from './add-member.js';
import { createChannelHandler } from './create-channel.js';
import { getMemberHandler, listMembersHandler, removeMemberHandler } from './members.js';
import { patchChannelHandler } from './patch-channel.js';
import {
  getChannelByNameHandler, getChannelHandler, listMyChannelsHandler, listMyMembershipsHandler, listPublicChannelsHandler,
} from './read-channels.js';

export function registerChannelRoutes(router: Router, services: ChatServices): void {
  router.post('/channels', createChannelHandler(services));
  router.get('/channels/:channel_id', getChannelHandler(services));
  router.put('/channels/:channel_id/patch', patchChannelHandler(services));
  router.get('/channels/:channel_id/members', listMembersHandler(services));
  router.post('/channels/:channel_id/members', addMemberHandler(services));
  router.get('/channels/:channel_id/members/:user_id', getMemberHandler(services));
  router.delete('/channels/:channel_id/members/:user_id', removeMemberHandler(services));
  router.get('/teams/:team_id/channels', listPublicChannelsHandler(services));
  router.get('/teams/:team_id/channels/name/:channel_name', getChannelByNameHandler(services));
  router.get('/users/:user_id/teams/:team_id/channels', listMyChannelsHandler(services));
  router.get('/users/:user_id/teams/:team_id/channels/members', listMyMembershipsHandler(services));
}
