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
  /** Set by connectors with an admin mapping (e.g. SAML `adminAttribute: "role=admin"`). */
  isAdmin?: boolean;
  /** Set by connectors with a guest mapping (e.g. SAML `guestAttribute: "type=guest"`). */
  isGuest?: boolean;
  nickname?: string;
  position?: string;
  locale?: string;
  /** The local user this identity already is, when the connector is the local directory itself. */
  userId?: string;
  /** Display names (and DNs, for directories) of the ids in `groups`, when the connector knows them. */
  groupDetails?: Record<string, { name: string; dn?: string }>;
}

/** A connector that takes a login id and password (local accounts, LDAP). */
export interface PasswordConnector {
  readonly id: string;
  readonly kind: 'password';
  /**
   * The identity, or null for any failure (unknown user, wrong password, disabled account) — never
   * which. A directory that cannot be asked throws GatewayError `LDAP_UNAVAILABLE` (503), which is
   * not counted against the user.
   */
  login(loginId: string, password: string): Promise<Identity | null>;
  /**
   * Set by external directories (LDAP): the identity carries no `userId`, so the login pipeline
   * links and provisions it like an SSO identity, under these rules.
   */
  readonly linking?: { trustEmail: boolean; allowSignup: boolean };
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

/**
 * A SAML 2.0 service-provider connector (src/connectors/saml/). It holds no HTTP objects: the
 * routes in src/login/ hand it strings and act on what it returns. Request ids (for InResponseTo)
 * and assertion ids (replay cache) live in the ephemeral store, so every check holds across nodes.
 */
export interface SamlConnector {
  readonly id: string;
  readonly kind: 'saml';
  /** Button text and colour on /login. */
  readonly displayName: string;
  readonly buttonColor: string;
  /** True when the connector accepts verified e-mail to link an existing account with no other link. */
  readonly trustEmail: boolean;
  /** Just-in-time account creation allowed. */
  readonly allowSignup: boolean;
  /** Accept the IdP's proven MFA instead of a Gatehouse code (config `trustIdpMfa`). */
  readonly trustIdpMfa?: boolean;
  /** SP metadata XML (entityID, ACS, SLO, signing and encryption certificates). */
  metadata(): string;
  /**
   * SP-initiated login: an HTTP-Redirect AuthnRequest (signed when configured). The request id is
   * stored for InResponseTo; `relayState` is passed through opaquely (it is a server-side key).
   */
  startLogin(relayState: string): Promise<{ redirectUrl: string; requestId: string }>;
  /**
   * Validate a `SAMLResponse` posted to the ACS. Every check (signatures, XSW, Destination,
   * Recipient, Audience, Issuer, InResponseTo consumed once, assertion-id replay, validity window,
   * Status, DOCTYPE, size, algorithms) happens here; any doubt throws a `GatewayError` with code
   * `SAML_INVALID_RESPONSE` (public message generic, `detail` precise).
   */
  finishLogin(samlResponse: string): Promise<SamlLoginResult>;
  /** SP-initiated Single Logout: a LogoutRequest for the session's NameID and SessionIndex. */
  startLogout(input: SamlSessionRef & { relayState: string }): Promise<{ redirectUrl: string }>;
  /**
   * An IdP-initiated LogoutRequest (Redirect binding: the raw query string, whose signature is
   * checked; POST binding: the form body). Unsigned or invalid messages throw `SAML_INVALID_LOGOUT`.
   * `respond` builds the signed LogoutResponse to send back.
   */
  receiveLogoutRequest(input: SamlLogoutInput): Promise<{ nameId: string; sessionIndexes: string[]; respond(success: boolean): SamlOutgoing }>;
  /** A LogoutResponse answering our LogoutRequest (request id consumed once). */
  receiveLogoutResponse(input: SamlLogoutInput): Promise<{ success: boolean; relayState: string }>;
}

export interface SamlSessionRef {
  nameId: string;
  nameIdFormat: string;
  sessionIndex: string;
}

export interface SamlLoginResult {
  identity: Identity;
  session: SamlSessionRef;
  /** The RelayState the IdP sent back (a server-side key, or empty for IdP-initiated). */
  relayState: string;
  /** True when the response answered no AuthnRequest of ours (allowed only when configured). */
  unsolicited: boolean;
}

export type SamlLogoutInput =
  | { binding: 'redirect'; rawQuery: string }
  | { binding: 'post'; body: Record<string, string> };

export type SamlOutgoing =
  | { binding: 'redirect'; url: string }
  | { binding: 'post'; url: string; fields: Record<string, string> };

/**
 * An OpenID Connect or OAuth 2.0 connector (src/connectors/oidc/, src/connectors/oauth2/). Like the
 * SAML connector it holds no HTTP objects. `state`, `nonce` and the PKCE verifier live in the
 * ephemeral store under the state value and are consumed once by `finishLogin`.
 */
export interface OAuthConnector {
  readonly id: string;
  readonly kind: 'oidc' | 'oauth2';
  readonly displayName: string;
  readonly buttonColor: string;
  readonly trustEmail: boolean;
  readonly allowSignup: boolean;
  /** Accept the IdP's proven MFA (`amr`) instead of a Gatehouse code (config `trustIdpMfa`; OIDC only). */
  readonly trustIdpMfa?: boolean;
  /** Mattermost's service name this connector also answers (`gitlab`, `google`, `office365`, `openid`), if any. */
  readonly mattermostService?: string;
  /**
   * Where to send the browser: the authorization URL (code flow with PKCE S256, state, and for OIDC
   * a nonce). `relay` is an opaque server-side key handed back by `finishLogin`.
   */
  startLogin(relay: string): Promise<{ redirectUrl: string }>;
  /**
   * The callback: `url` is the full callback URL as received (query included); `body` the form for
   * `response_mode=form_post`. Validates state (consumed once), the code exchange, the ID token and
   * userinfo. Any doubt throws GatewayError `OIDC_INVALID_RESPONSE` (public message generic, `detail`
   * precise) after a warn log line.
   */
  finishLogin(input: { url: string; body: Record<string, string> }): Promise<OAuthLoginResult>;
  /** RP-initiated logout URL (OIDC `end_session_endpoint`), or undefined when the provider has none. */
  logoutUrl?(input: { idTokenHint: string; postLogoutRedirectUri: string }): Promise<string | undefined>;
  /**
   * Verify an OIDC back-channel logout token (Back-Channel Logout 1.0 §2.6): signature, iss, aud,
   * iat, jti not replayed (ephemeral store), the events claim, sid or sub, no nonce. Throws
   * `OIDC_INVALID_LOGOUT` otherwise.
   */
  verifyLogoutToken?(logoutToken: string): Promise<{ sub?: string; sid?: string }>;
  /** Set when the connector re-checks signed-in users with the provider (config `refresh`): how often. */
  readonly recheckIntervalMs?: number;
  /** Re-check one user with their refresh token (never logged); see RecheckResult. */
  recheck?(refreshToken: string, sub: string): Promise<RecheckResult>;
}

/**
 * A re-check's outcome: still allowed (with fresh claims when the provider sent them, and a rotated
 * refresh token when it rotates them), or not — `definitive` when the provider said no (the session
 * must end), not when it could not be asked (the check is tried again later).
 */
export type RecheckResult =
  | { ok: true; identity?: Identity; refreshToken?: string }
  | { ok: false; definitive: boolean; reason: string };

export interface OAuthLoginResult {
  identity: Identity;
  /** The relay key given to `startLogin`. */
  relay: string;
  /** OIDC session id (`sid` claim) and subject, for back-channel logout; the ID token for `id_token_hint`. */
  session: { sub: string; sid?: string; idToken?: string; refreshToken?: string };
}
