/**
 * SP metadata (SAML metadata §2.4.4 SPSSODescriptor) through node-saml's generator: entityID,
 * ACS (HTTP-POST), signing and encryption certificates; then a Redirect-binding SLO endpoint
 * beside node-saml's POST one, since we accept both (bindings §3.4 and §3.5).
 */
import { generateServiceProviderMetadata } from '@node-saml/node-saml';
import type { SamlContext } from './connector-context.js';
import { BINDING } from './idp-metadata.js';

export function spMetadata(ctx: Pick<SamlContext, 'urls' | 'keys' | 'config' | 'nameIdFormat'>): string {
  const { signing, encryption } = ctx.keys;
  const xml = generateServiceProviderMetadata({
    issuer: ctx.urls.entityId,
    callbackUrl: ctx.urls.acs,
    logoutCallbackUrl: ctx.urls.slo,
    identifierFormat: ctx.nameIdFormat || null,
    wantAssertionsSigned: ctx.config.wantAssertionsSigned,
    generateUniqueId: () => `_gatehouse-${ctx.config.id}`,
    ...(signing ? { privateKey: signing.privateKeyPem, publicCerts: [signing.certificatePem], signatureAlgorithm: 'sha256' as const } : {}),
    ...(encryption ? { decryptionPvk: encryption.privateKeyPem, decryptionCert: encryption.certificatePem } : {}),
  });
  const post = `<SingleLogoutService Binding="${BINDING.post}" Location="${ctx.urls.slo}"/>`;
  const redirect = `<SingleLogoutService Binding="${BINDING.redirect}" Location="${ctx.urls.slo}"/>`;
  return xml.replace(post, `${redirect}\n    ${post}`);
}
