/** Channel and channel-member routes under /api/v4 (the gateway forwards exactly these prefixes). */
import type { Router } from 'express';
import type { ChatServices } from '../services.js';
import { addMemberHandler } from './add-member.js';
import { archiveChannelHandler, restoreChannelHandler } from './archive-channel.js';
import { createChannelHandler } from './create-channel.js';
import { createDirectChannelHandler, createGroupChannelHandler } from './direct-channel.js';
import { updateMemberRolesHandler } from './member-roles.js';
import { getMemberHandler, listMembersHandler, removeMemberHandler } from './members.js';
import { getModerationsHandler, patchModerationsHandler } from './moderation-routes.js';
import { patchChannelHandler } from './patch-channel.js';
import {
  channelStatsHandler, getChannelByNameHandler, getChannelHandler, listAllMyChannelsHandler, listMyChannelsHandler,
  listMyMembershipsHandler, listPublicChannelsHandler,
} from './read-channels.js';
import { markReadHandler, unreadHandler, viewChannelHandler } from './view-channel.js';

export function registerChannelRoutes(router: Router, services: ChatServices): void {
  router.post('/channels', createChannelHandler(services));
  router.post('/channels/direct', createDirectChannelHandler(services));
  router.post('/channels/group', createGroupChannelHandler(services));
  router.post('/channels/members/:user_id/view', viewChannelHandler(services));
  router.post('/channels/members/:user_id/mark_read', markReadHandler(services));
  router.get('/channels/:channel_id', getChannelHandler(services));
  router.delete('/channels/:channel_id', archiveChannelHandler(services));
  router.post('/channels/:channel_id/restore', restoreChannelHandler(services));
  router.put('/channels/:channel_id/patch', patchChannelHandler(services));
  router.get('/channels/:channel_id/stats', channelStatsHandler(services));
  router.get('/channels/:channel_id/moderations', getModerationsHandler(services));
  router.put('/channels/:channel_id/moderations/patch', patchModerationsHandler(services));
  router.get('/channels/:channel_id/members', listMembersHandler(services));
  router.post('/channels/:channel_id/members', addMemberHandler(services));
  router.get('/channels/:channel_id/members/:user_id', getMemberHandler(services));
  router.delete('/channels/:channel_id/members/:user_id', removeMemberHandler(services));
  router.put('/channels/:channel_id/members/:user_id/roles', updateMemberRolesHandler(services, 'roles'));
  router.put('/channels/:channel_id/members/:user_id/schemeRoles', updateMemberRolesHandler(services, 'scheme'));
  router.get('/teams/:team_id/channels', listPublicChannelsHandler(services));
  router.get('/teams/:team_id/channels/name/:channel_name', getChannelByNameHandler(services));
  router.get('/users/:user_id/channels', listAllMyChannelsHandler(services));
  router.get('/users/:user_id/channels/:channel_id/unread', unreadHandler(services));
  router.get('/users/:user_id/teams/:team_id/channels', listMyChannelsHandler(services));
  router.get('/users/:user_id/teams/:team_id/channels/members', listMyMembershipsHandler(services));
}
