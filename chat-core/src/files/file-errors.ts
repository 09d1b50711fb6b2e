/** The files area's refusals, with Mattermost's error ids where Mattermost has one. */
import { ChatError, badRequest, notFound } from '../http/chat-error.js';

/** Mattermost's client limit of files in one upload (and on one post). */
export const MAX_FILES_PER_UPLOAD = 10;

/** "100 MiB", "1.5 KiB", "512 bytes". */
export function formatBytes(size: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB'];
  let value = size;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = unit === 0 || Number.isInteger(value) ? String(value) : value.toFixed(1);
  return `${shown} ${units[unit]}`;
}

export const fileTooLarge = (maxFileSize: number, name?: string): ChatError =>
  new ChatError(
    413, 'api.file.upload_file.too_large_detailed.app_error',
    `${name ? `Unable to upload file ${JSON.stringify(name)}: it is` : 'The file is'} larger than the ${formatBytes(maxFileSize)} limit (${maxFileSize} bytes). Upload a smaller file.`,
  );

export const unreadableUpload = (detail: string): ChatError =>
  badRequest('api.file.upload_file.read_request.app_error', 'Unable to read the uploaded files: send them as multipart/form-data, or one file as an application/octet-stream body.', detail);

export const noFile = (): ChatError =>
  badRequest('api.file.upload_file.no_file.app_error', 'The request contains no file: add at least one "files" part.');

export const tooManyFiles = (): ChatError =>
  badRequest('api.file.upload_file.too_many_files.app_error', `At most ${MAX_FILES_PER_UPLOAD} files can be uploaded at once.`);

export const multipleChannelIds = (): ChatError =>
  badRequest('api.file.upload_file.multiple_channel_ids.app_error', 'Unable to upload files: the request names more than one channel_id.');

export const wrongClientIdCount = (clientIds: number, files: number): ChatError =>
  badRequest('api.file.upload_file.incorrect_number_of_client_ids.app_error', `Unable to upload files: ${clientIds} client_ids for ${files} files (send one per file, or none).`);

export const fileNotFound = (detail = ''): ChatError =>
  notFound('app.file_info.get.app_error', 'Unable to get the file info: it does not exist or was deleted.', detail);

export const noPreview = (): ChatError =>
  badRequest('api.file.get_file_preview.no_preview.app_error', 'This file has no preview image.');

export const noThumbnail = (): ChatError =>
  badRequest('api.file.get_file_thumbnail.no_thumbnail.app_error', 'This file has no thumbnail image.');

export const publicLinksDisabled = (): ChatError =>
  new ChatError(403, 'api.file.get_public_link.disabled.app_error', 'Public links have been disabled.');

export const cannotAttach = (detail: string): ChatError =>
  badRequest(
    'api.post.create_post.attach_files.app_error',
    'Unable to attach the files: each file_id must be your own upload to this channel, not yet attached to a post and not deleted.',
    detail,
  );
