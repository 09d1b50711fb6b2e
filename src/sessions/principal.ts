/** Who is making a request, once authenticated: the session (or access token) and the access it carries. */
export interface Principal {
  userId: string;
  /** Session id, or the access token's id for a personal access token. Never the secret. */
  sessionId: string;
  kind: 'session' | 'access_token';
  /** True when the credential came from the MMAUTHTOKEN cookie (CSRF rules apply). */
  viaCookie: boolean;
  csrfToken: string;
  amr: string[];
  authTime: number;
  access: Access;
  /** MFA must be set up first: only routes marked `duringMfaEnrolment` serve this principal. */
  mfaEnrolRequired?: boolean;
}

/** What a user may do, resolved from the directory and cached in the ephemeral store. */
export interface Access {
  username: string;
  name: string;
  roles: string[];
  teams: Record<string, string[]>;
  guest: boolean;
  deactivated: boolean;
  /** Changes whenever any of the above changes; assertions are re-minted when it does. */
  version: string;
}
