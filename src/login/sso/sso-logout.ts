/**
 * After a local logout of an SSO session: where to send the browser so the IdP session ends too —
 * SAML SP-initiated Single Logout, or OIDC RP-initiated logout with `id_token_hint`. When the
 * connector is gone or offers no logout endpoint, the local logout stands on its own.
 */
import type { GatewayContext } from '../../context.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { SsoSessionRef } from '../../sessions/session-store.js';

export async function ssoLogoutRedirect(ctx: GatewayContext, sso: SsoSessionRef | undefined): Promise<string | undefined> {
  if (!sso) return undefined;
  try {
    if (sso.nameIdFormat === 'oidc' || sso.nameIdFormat === 'oauth2') {
      const connector = ctx.connectors.oauth(sso.connectorId);
      if (!connector.logoutUrl || !sso.idToken) return undefined;
      return await connector.logoutUrl({ idTokenHint: sso.idToken, postLogoutRedirectUri: `${ctx.config.siteUrl}/login` });
    }
    const { redirectUrl } = await ctx.connectors.saml(sso.connectorId).startLogout({ ...sso, relayState: '' });
    return redirectUrl;
  } catch (err) {
    if (err instanceof GatewayError) return undefined;
    throw err;
  }
}
