/**
 * SP-initiated login (profiles §4.1.4.1): an AuthnRequest over HTTP-Redirect, signed with the SP
 * key when configured; its id kept in the shared store so the Response's InResponseTo can be
 * consumed exactly once on whichever node receives it.
 */
import type { SamlContext } from './connector-context.js';
import { buildAuthnRequest, newMessageId } from './messages.js';
import { rememberRequest, requestKey } from './one-time-checks.js';
import { buildRedirectUrl } from './redirect-binding.js';

export async function startLogin(ctx: SamlContext, relayState: string): Promise<{ redirectUrl: string; requestId: string }> {
  const idp = ctx.idp();
  const requestId = newMessageId();
  const xml = buildAuthnRequest({
    id: requestId,
    nowMs: ctx.now(),
    destination: idp.ssoUrl,
    acsUrl: ctx.urls.acs,
    spEntityId: ctx.urls.entityId,
    nameIdFormat: ctx.nameIdFormat,
  });
  await rememberRequest(ctx.store, requestKey(ctx.config.id, requestId), relayState);
  const privateKey = ctx.keys.signRequests ? ctx.keys.signing?.privateKey : undefined;
  const redirectUrl = buildRedirectUrl({ endpoint: idp.ssoUrl, param: 'SAMLRequest', xml, relayState, ...(privateKey ? { privateKey } : {}) });
  return { redirectUrl, requestId };
}
