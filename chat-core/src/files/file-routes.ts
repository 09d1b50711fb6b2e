/** File routes under /api/v4 (Mattermost's api4/file.go, less search and public links). */
import type { Router } from 'express';
import type { ChatServices } from '../services.js';
import { getFileHandler } from './get-file.js';
import { getFileInfoHandler, getFileLinkHandler, getPostFileInfosHandler } from './get-file-info.js';
import { uploadFilesHandler } from './upload-files.js';

export function registerFileRoutes(router: Router, services: ChatServices): void {
  router.post('/files', uploadFilesHandler(services));
  router.get('/files/:file_id', getFileHandler(services, 'file'));
  router.get('/files/:file_id/info', getFileInfoHandler(services));
  router.get('/files/:file_id/preview', getFileHandler(services, 'preview'));
  router.get('/files/:file_id/thumbnail', getFileHandler(services, 'thumbnail'));
  router.get('/files/:file_id/link', getFileLinkHandler(services));
  router.get('/posts/:post_id/files/info', getPostFileInfosHandler(services));
}
