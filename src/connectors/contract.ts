/**
 * The connector contract (after dex's connector/connector.go): a thin adapter that turns one way of
 * signing in into one normalized identity. Connectors never touch request, response, cookies,
 * sessions, policy or MFA — the login pipeline does that after them.
 *
 * Capabilities are small interfaces; a connector implements those it needs. The server is handed
 * the map of connector types; connectors do not register themselves.
 */

/** Who came back, normalized across protocols. */
export interface Identity {
  connectorId: string;
  /** Stable subject at that connector (never the e-mail unless the connector has nothing better). */
  subject: string;
  email: string;
  emailVerified: boolean;
  username?: string;
  firstName?: string;
  lastName?: string;
  groups: string[];
  /** Authentication methods references (RFC 8176). */
  amr: string[];
  /** The raw attributes, for mapping and the security log; never secrets. */
  raw: Record<string, unknown>;
  /** The local user this identity already is, when the connector is the local directory itself. */
  userId?: string;
}

/** A connector that takes a login id and password (local accounts, LDAP). */
export interface PasswordConnector {
  readonly id: string;
  readonly kind: 'password';
  /** The identity, or null for any failure (unknown user, wrong password, disabled account) — never which. */
  login(loginId: string, password: string): Promise<Identity | null>;
}

/** What the browser should do next for a redirect-based connector (SAML, OIDC, OAuth 2.0). */
export type StartResult =
  | { kind: 'redirect'; url: string }
  | { kind: 'post'; url: string; fields: Record<string, string> };

/** A connector that sends the browser to an IdP and receives it back (added by the SSO issues). */
export interface RedirectConnector {
  readonly id: string;
  readonly kind: 'redirect';
  /** Where to send the browser; `state` is an opaque server-side handle consumed once by `finish`. */
  start(state: string): Promise<StartResult>;
  finish(input: { state: string; query: Record<string, string>; body: Record<string, string> }): Promise<Identity>;
}

export type Connector = PasswordConnector | RedirectConnector;
