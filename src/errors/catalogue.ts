/**
 * The error catalogue: every stable code the gateway answers with, its HTTP status, the
 * Mattermost error id clients match on, and the public message. Public messages never reveal which
 * factor failed or whether an account exists.
 */
export const ERRORS = {
  AUTHN_INVALID_CREDENTIALS: { status: 401, id: 'api.user.login.invalid_credentials_email_username', message: 'Enter a valid email or username and/or password.' },
  AUTHN_REQUIRED: { status: 401, id: 'api.context.session_expired.app_error', message: 'Invalid or expired session, please login again.' },
  AUTHN_BAD_REQUEST: { status: 400, id: 'api.user.login.blank_pwd.app_error', message: 'Enter your login id and password.' },
  SESSION_CSRF_FAILED: { status: 401, id: 'api.context.session_expired.app_error', message: 'The CSRF token is missing or does not match this session; reload the page.' },
  SESSION_NOT_FOUND: { status: 404, id: 'app.session.get.app_error', message: 'No session with that id.' },
  AUTHZ_FORBIDDEN: { status: 403, id: 'api.context.permissions.app_error', message: 'You do not have the appropriate permissions.' },
  AUTHZ_ROUTE_UNDECLARED: { status: 403, id: 'api.context.permissions.app_error', message: 'You do not have the appropriate permissions.' },
  REQUEST_NOT_FOUND: { status: 404, id: 'api.context.404.app_error', message: 'Sorry, we could not find the page.' },
  REQUEST_INVALID_JSON: { status: 400, id: 'api.context.invalid_body_param.app_error', message: 'The request body is not valid JSON.' },
  REQUEST_INVALID_PARAM: { status: 400, id: 'api.context.invalid_param.app_error', message: 'A parameter is missing or invalid.' },
  REQUEST_TOO_LARGE: { status: 413, id: 'api.context.request_body_too_large.app_error', message: 'The request body is too large.' },
  USER_NOT_FOUND: { status: 404, id: 'app.user.missing_account.const', message: 'We could not find the user.' },
  USER_EXISTS: { status: 400, id: 'app.user.save.existing.app_error', message: 'An account with that email or username already exists.' },
  USER_INVALID: { status: 400, id: 'model.user.is_valid.app_error', message: 'The user is not valid.' },
  USER_PASSWORD_POLICY: { status: 400, id: 'model.user.is_valid.pwd.app_error', message: 'The password does not meet the password policy.' },
  USER_SIGNUP_DISABLED: { status: 403, id: 'api.user.create_user.signup_email_disabled.app_error', message: 'Account creation is disabled; ask an administrator for an account.' },
  TEAM_NOT_FOUND: { status: 404, id: 'app.team.get.find.app_error', message: 'We could not find the team.' },
  TEAM_EXISTS: { status: 400, id: 'store.sql_team.save_team.existing.app_error', message: 'A team with that name already exists.' },
  TEAM_INVALID: { status: 400, id: 'model.team.is_valid.app_error', message: 'The team is not valid.' },
  TEAM_MEMBER_NOT_FOUND: { status: 404, id: 'app.team.get_member.missing.app_error', message: 'That user is not a member of the team.' },
  TOKEN_NOT_FOUND: { status: 404, id: 'app.user_access_token.get_by_token.app_error', message: 'No access token with that id.' },
  SAML_INVALID_RESPONSE: { status: 401, id: 'ent.saml.do_login.validate.app_error', message: 'Single sign-on failed. Try again, or contact your administrator if it keeps happening.' },
  SAML_INVALID_LOGOUT: { status: 400, id: 'ent.saml.logout.validate.app_error', message: 'The logout message could not be verified.' },
  SAML_CONNECTOR_NOT_FOUND: { status: 404, id: 'ent.saml.connector.not_found.app_error', message: 'No such sign-in method.' },
  SAML_CONFIG_INVALID: { status: 400, id: 'ent.saml.configure.app_error', message: 'The SAML configuration is not valid.' },
  OIDC_INVALID_RESPONSE: { status: 401, id: 'api.oauth.invalid_response.app_error', message: 'Single sign-on failed. Try again, or contact your administrator if it keeps happening.' },
  OIDC_INVALID_LOGOUT: { status: 400, id: 'api.oauth.invalid_logout.app_error', message: 'The logout token could not be verified.' },
  OIDC_CONFIG_INVALID: { status: 400, id: 'api.oauth.configure.app_error', message: 'The OpenID Connect or OAuth configuration is not valid.' },
  AUTHN_ACCOUNT_EXISTS: { status: 409, id: 'api.user.login.account_exists.app_error', message: 'An account with this e-mail already exists. Sign in the way you usually do, then link this sign-in method from your profile.' },
  AUTHN_DEACTIVATED: { status: 403, id: 'api.user.login.inactive.app_error', message: 'This account is deactivated. Contact your administrator.' },
  AUTHN_SIGNUP_DISABLED: { status: 403, id: 'api.user.create_user.signup_disabled.app_error', message: 'You do not have an account here yet. Ask an administrator to create one.' },
  SETUP_INVALID: { status: 400, id: 'api.setup.invalid_link.app_error', message: 'This setup link is invalid, used or expired. Restart Gatehouse to print a new one.' },
  UPSTREAM_UNAVAILABLE: { status: 502, id: 'api.proxy.upstream_unavailable.app_error', message: 'The chat service is not reachable right now; try again shortly.' },
  SERVER_ERROR: { status: 500, id: 'api.context.server_error.app_error', message: 'An internal error occurred.' },
} as const satisfies Record<string, { status: number; id: string; message: string }>;

export type ErrorCode = keyof typeof ERRORS;
