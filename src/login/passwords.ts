/**
 * Password hashing: argon2id with OWASP's second recommended setting (m=19 MiB, t=2, p=1).
 */
import { hash, verify, type Algorithm } from '@node-rs/argon2';

/** `Algorithm.Argon2id` (a const enum, which isolated modules cannot read). */
const ARGON2ID = 2 as Algorithm;
const PARAMS = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, PARAMS);
}

/** A hash of nothing in particular, verified when the login id is unknown so both paths cost the same. */
let dummyHash: Promise<string> | undefined;
function getDummyHash(): Promise<string> {
  dummyHash ??= hash('gatehouse-timing-equaliser', PARAMS);
  return dummyHash;
}

/** Verify `password` against `storedHash`; with no hash, spend the same time and answer false. */
export async function verifyPassword(storedHash: string | null | undefined, password: string): Promise<boolean> {
  if (!storedHash) {
    await verify(await getDummyHash(), password).catch(() => false);
    return false;
  }
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}

/** Warm the dummy hash at boot, so the first unknown-user login is not measurably faster or slower. */
export async function warmPasswordHashing(): Promise<void> {
  await getDummyHash();
}
