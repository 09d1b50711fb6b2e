/**
 * Why an assertion was refused. The reason goes to the security log; the client only ever sees
 * the generic `invalid_token` answer (DESIGN.md: fail closed, precise reason in the log).
 */
export type AssertionRefusal =
  | 'ASSERTION_MISSING'
  | 'ASSERTION_MALFORMED'
  | 'ASSERTION_ALGORITHM'
  | 'ASSERTION_KEY_MISSING'
  | 'ASSERTION_KEY_UNKNOWN'
  | 'ASSERTION_KEY_MISMATCH'
  | 'ASSERTION_SIGNATURE'
  | 'ASSERTION_TYPE'
  | 'ASSERTION_EXPIRED'
  | 'ASSERTION_CLAIM'
  | 'ASSERTION_LIFETIME'
  | 'ASSERTION_SCOPE'
  | 'ASSERTION_USER_DEACTIVATED';

export class AssertionError extends Error {
  override readonly name = 'AssertionError';
  constructor(readonly reason: AssertionRefusal, readonly detail: string, options?: { cause?: unknown }) {
    super(`${reason}: ${detail}`, options);
  }
}
