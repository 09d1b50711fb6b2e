/**
 * Where file contents live, behind a small interface so a bucket store can replace the disk one.
 * Keys are chat-core's own (`files/{yyyymmdd}/{id}`, `emoji/{id}`): never a client's file name.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';

export interface FileStore {
  /** Writes the whole content; a reader never sees a half-written file. */
  write(key: string, data: Buffer): Promise<void>;
  /** The content, or undefined when nothing is stored under the key. */
  read(key: string): Promise<Buffer | undefined>;
  /** Removes the content; removing a missing key is not an error. */
  remove(key: string): Promise<void>;
}

const KEY_PATTERN = /^[a-z]+(?:\/[A-Za-z0-9_-]{1,64}){1,3}$/;

function checkKey(key: string): string {
  if (!KEY_PATTERN.test(key)) throw new Error(`invalid file store key ${JSON.stringify(key)}`);
  return key;
}

/** Files under `root`, written to a temporary name and renamed into place. */
export function createLocalFileStore(root: string): FileStore {
  const base = resolve(root);
  const pathOf = (key: string): string => {
    const path = resolve(join(base, checkKey(key)));
    if (!path.startsWith(base + sep)) throw new Error('file store key escapes the root');
    return path;
  };
  return {
    async write(key, data) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(temporary, data, { mode: 0o600, flag: 'wx' });
        await rename(temporary, path);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
    },
    async read(key) {
      try {
        return await readFile(pathOf(key));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async remove(key) {
      await rm(pathOf(key), { force: true });
    },
  };
}

/** Contents in this process's memory: for tests and throw-away runs without a files directory. */
export function createMemoryFileStore(): FileStore {
  const contents = new Map<string, Buffer>();
  return {
    async write(key, data) {
      contents.set(checkKey(key), Buffer.from(data));
    },
    async read(key) {
      return contents.get(checkKey(key));
    },
    async remove(key) {
      contents.delete(checkKey(key));
    },
  };
}
