/**
 * Who may upload, attach and download: channel readers only, an unattached upload only its
 * uploader, a deleted file nobody. Every refusal comes with a stable id and writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteFilesOfPost } from '../../../chat-core/src/files/attach-files.js';
import { DIALECTS, bearer, memberOf, type TestUser } from './harness.js';
import { addedMember, multipartBody, pngImage, postMultipart, seenUser, startFilesHarness, teamChannel, type FilesHarness } from './files-harness.js';

describe.each(DIALECTS)('chat-core file access on %s', (dialect) => {
  let h: FilesHarness;
  beforeAll(async () => { h = await startFilesHarness(dialect); });
  afterAll(async () => { await h.close(); });

  const upload = async (user: TestUser, channelId: string, data: string | Buffer = 'secret plans') => {
    const res = await postMultipart(h, user, multipartBody([{ name: 'channel_id', data: channelId }, { name: 'files', filename: 'plans.txt', data }]));
    expect(res.status).toBe(201);
    return res.body.file_infos[0] as { id: string };
  };
  const post = (user: TestUser, channelId: string, fileIds: string[]) =>
    h.http().post('/api/v4/posts').set(...bearer(user)).send({ channel_id: channelId, message: 'with files', file_ids: fileIds });
  /** Every way to reach a file or its post's files. */
  const reads = (fileId: string, postId: string) => [
    `/api/v4/files/${fileId}`, `/api/v4/files/${fileId}/info`, `/api/v4/files/${fileId}/preview`,
    `/api/v4/files/${fileId}/thumbnail`, `/api/v4/files/${fileId}/link`, `/api/v4/posts/${postId}/files/info`,
  ];

  it('refuses a private channel\'s file to a non-member, a guest outside the channel and someone from another team', async () => {
    const { team, owner, channel } = await teamChannel(h, 'P');
    const file = await upload(owner, channel.id, pngImage(2, 2));
    const created = await post(owner, channel.id, [file.id]);
    expect(created.status).toBe(201);
    const outsiders = [
      await seenUser(h, team),
      await seenUser(h, team, { teams: { [team]: ['team_guest'] }, roles: ['system_guest'], guest: true }),
      await h.user({ teams: memberOf('someotherteam') }),
    ];
    for (const outsider of outsiders) {
      for (const path of reads(file.id, created.body.id)) {
        const res = await h.http().get(path).set(...bearer(outsider));
        expect([403, 404], `${path} for ${outsider.id}`).toContain(res.status);
        expect(res.headers['content-type']).toBe('application/json');
        expect(typeof res.body.id).toBe('string');
      }
    }
    const member = await addedMember(h, owner, team, channel.id);
    const guestMember = await addedMember(h, owner, team, channel.id, { teams: { [team]: ['team_guest'] }, roles: ['system_guest'], guest: true });
    for (const reader of [member, guestMember]) {
      for (const path of reads(file.id, created.body.id).filter((p) => !p.endsWith('/link'))) {
        expect((await h.http().get(path).set(...bearer(reader))).status, path).toBe(200);
      }
    }
  });

  it('lets a team member read a public channel\'s files but never a guest who is not in the channel', async () => {
    const { team, owner, channel } = await teamChannel(h, 'O');
    const file = await upload(owner, channel.id);
    const created = await post(owner, channel.id, [file.id]);
    expect((await h.http().get(`/api/v4/files/${file.id}/info`).set(...bearer(await seenUser(h, team)))).status).toBe(200);
    const guest = await seenUser(h, team, { teams: { [team]: ['team_guest'] }, roles: ['system_guest'], guest: true });
    for (const path of reads(file.id, created.body.id)) expect((await h.http().get(path).set(...bearer(guest))).status).toBe(403);
  });

  it('shows an upload that is not on a post yet only to its uploader', async () => {
    const { team, owner, channel } = await teamChannel(h, 'O');
    const bob = await addedMember(h, owner, team, channel.id);
    const file = await upload(owner, channel.id);
    for (const path of [`/api/v4/files/${file.id}`, `/api/v4/files/${file.id}/info`]) {
      const res = await h.http().get(path).set(...bearer(bob));
      expect(res.status).toBe(403);
      expect(res.body.id).toBe('api.context.permissions.app_error');
      expect((await h.http().get(path).set(...bearer(owner))).status).toBe(200);
    }
  });

  it('answers 404 for an unknown file and for the files of a deleted post', async () => {
    const { team, owner, channel } = await teamChannel(h, 'O');
    const bob = await addedMember(h, owner, team, channel.id);
    const unknown = await h.http().get('/api/v4/files/aaaaaaaaaaaaaaaaaaaaaaaaaa').set(...bearer(owner));
    expect(unknown.status).toBe(404);
    expect(unknown.body.id).toBe('app.file_info.get.app_error');
    expect((await h.http().get('/api/v4/files/not-an-id/info').set(...bearer(owner))).status).toBe(400);

    const first = await upload(owner, channel.id);
    const root = await post(owner, channel.id, [first.id]);
    const second = await upload(owner, channel.id);
    const reply = await h.http().post('/api/v4/posts').set(...bearer(owner))
      .send({ channel_id: channel.id, message: 'reply', root_id: root.body.id, file_ids: [second.id] });
    expect(reply.status).toBe(201);
    expect((await h.http().delete(`/api/v4/posts/${root.body.id}`).set(...bearer(owner))).status).toBe(200);
    for (const id of [first.id, second.id]) {
      const res = await h.http().get(`/api/v4/files/${id}`).set(...bearer(bob));
      expect(res.status).toBe(404);
      expect(res.body.id).toBe('app.file_info.get.app_error');
    }
    // The soft delete that post deletion is to call: the thread's rows get their delete_at.
    await deleteFilesOfPost(h.db, root.body.id, h.clock.now());
    const rows = (await h.fileRows()).filter((row) => row.id === first.id || row.id === second.id);
    expect(rows.map((row) => row.delete_at)).toEqual([h.clock.now(), h.clock.now()]);
  });

  it('refuses uploads from a non-member, from another team, to a missing channel and to an archived one', async () => {
    const { team, owner, channel } = await teamChannel(h, 'O');
    const before = (await h.fileRows()).length;
    const keysBefore = await h.storedKeys();
    const outsider = await seenUser(h, team);
    const stranger = await h.user({ teams: memberOf('elsewhere') });
    for (const user of [outsider, stranger]) {
      const res = await postMultipart(h, user, multipartBody([{ name: 'channel_id', data: channel.id }, { name: 'files', filename: 'x.txt', data: 'x' }]));
      expect(res.status).toBe(403);
      expect(res.body.id).toBe('api.context.permissions.app_error');
      const late = await postMultipart(h, user, multipartBody([{ name: 'files', filename: 'x.txt', data: 'x' }, { name: 'channel_id', data: channel.id }]));
      expect(late.status).toBe(403);
    }
    const missing = await postMultipart(h, owner, multipartBody([{ name: 'channel_id', data: 'aaaaaaaaaaaaaaaaaaaaaaaaaa' }, { name: 'files', filename: 'x.txt', data: 'x' }]));
    expect(missing.status).toBe(404);
    expect((await h.http().delete(`/api/v4/channels/${channel.id}`).set(...bearer(owner))).status).toBe(200);
    const archived = await postMultipart(h, owner, multipartBody([{ name: 'channel_id', data: channel.id }, { name: 'files', filename: 'x.txt', data: 'x' }]));
    expect(archived.status).toBe(403);
    const raw = await h.http().post(`/api/v4/files?channel_id=${channel.id}&filename=x.txt`).set(...bearer(owner))
      .set('Content-Type', 'application/octet-stream').send(Buffer.from('x'));
    expect(raw.status).toBe(403);
    expect((await h.fileRows()).length).toBe(before);
    expect(await h.storedKeys()).toEqual(keysBefore);
  });

  it('refuses to attach another user\'s file, another channel\'s, an attached one or an unknown id, and creates no post', async () => {
    const { team, owner, channel } = await teamChannel(h, 'O');
    const bob = await addedMember(h, owner, team, channel.id);
    const other = await h.http().post('/api/v4/channels').set(...bearer(owner)).send({ team_id: team, name: 'other', display_name: 'Other', type: 'O' });
    expect(other.status).toBe(201);
    const bobs = await upload(bob, channel.id);
    const elsewhere = await upload(owner, other.body.id);
    const mine = await upload(owner, channel.id);
    const attached = await upload(owner, channel.id);
    expect((await post(owner, channel.id, [attached.id])).status).toBe(201);
    const countBefore = (await h.http().get(`/api/v4/channels/${channel.id}`).set(...bearer(owner))).body.total_msg_count;
    for (const id of [bobs.id, elsewhere.id, attached.id, 'aaaaaaaaaaaaaaaaaaaaaaaaaa']) {
      const res = await post(owner, channel.id, [mine.id, id]);
      expect(res.status).toBe(400);
      expect(res.body.id).toBe('api.post.create_post.attach_files.app_error');
    }
    const after = await h.http().get(`/api/v4/channels/${channel.id}/posts`).set(...bearer(owner));
    expect(after.body.order).toHaveLength(1);
    expect((await h.http().get(`/api/v4/channels/${channel.id}`).set(...bearer(owner))).body.total_msg_count).toBe(countBefore);
    const rows = await h.fileRows();
    for (const id of [mine.id, bobs.id, elsewhere.id]) expect(rows.find((row) => row.id === id)?.post_id).toBe('');
    expect((await post(owner, channel.id, [mine.id])).status).toBe(201);
  });

  it('lets only one of two posts racing for the same upload have it', async () => {
    const { owner, channel } = await teamChannel(h, 'O');
    const file = await upload(owner, channel.id);
    const results = await Promise.all([post(owner, channel.id, [file.id]), post(owner, channel.id, [file.id])]);
    expect(results.map((res) => res.status).sort()).toEqual([201, 400]);
    const winner = results.find((res) => res.status === 201)!;
    expect((await h.fileRows()).find((row) => row.id === file.id)?.post_id).toBe(winner.body.id);
    expect((await h.http().get(`/api/v4/channels/${channel.id}/posts`).set(...bearer(owner))).body.order).toEqual([winner.body.id]);
  });
});
