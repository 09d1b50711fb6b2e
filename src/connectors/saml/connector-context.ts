/**
 * Everything one connector's operations share: parsed config, its URLs, the IdP as currently
 * known (metadata + operator overrides), the SP keys and the injected store, logger and clock.
 */
import type pino from 'pino';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import type { EphemeralStore } from '../../store/ephemeral/contract.js';
import type { SamlAttributeMap, SamlConnectorConfig, SamlUrls } from './config-schema.js';
import type { IdpMetadata } from './idp-metadata.js';
import type { SpKeys } from './sp-keys.js';

export interface ResolvedIdp {
  entityId: string;
  ssoUrl: string;
  slo: { url: string; binding: 'redirect' | 'post' } | null;
  certificates: string[];
}

export interface SamlContext {
  config: SamlConnectorConfig;
  urls: SamlUrls;
  acsUrls: string[];
  attributeMap: SamlAttributeMap;
  nameIdFormat: string;
  keys: SpKeys;
  store: EphemeralStore;
  logger: pino.Logger;
  now: () => number;
  idp(): ResolvedIdp;
  /** node-saml for the IdP as currently known (rebuilt only when the metadata changes). */
  nodeSaml(): SAML;
}

/** Operator settings win over metadata; certificates are the union (rollover). */
export function resolveIdp(idp: SamlConnectorConfig['idp'], metadata: IdpMetadata | null): ResolvedIdp {
  const entityId = idp.entityId ?? metadata?.entityId;
  const ssoUrl = idp.ssoUrl ?? metadata?.ssoUrls.redirect;
  const certificates = [...new Set([...(idp.certificates ?? []), ...(metadata?.signingCertificates ?? [])])];
  if (!entityId) throw new Error('idp.entityId: the IdP metadata has no entityID; set idp.entityId');
  if (!ssoUrl) throw new Error('idp.ssoUrl: the IdP metadata has no HTTP-Redirect SingleSignOnService; set idp.ssoUrl');
  if (certificates.length === 0) throw new Error('idp.certificates: the IdP metadata has no signing certificate; set idp.certificates');
  let slo: ResolvedIdp['slo'] = null;
  if (idp.sloUrl) slo = { url: idp.sloUrl, binding: 'redirect' };
  else if (metadata?.sloUrls.redirect) slo = { url: metadata.sloUrls.redirect, binding: 'redirect' };
  else if (metadata?.sloUrls.post) slo = { url: metadata.sloUrls.post, binding: 'post' };
  return { entityId, ssoUrl, slo, certificates };
}

/**
 * node-saml does signature verification, XSW defences, decryption, Audience and the assertion
 * time window. InResponseTo is ours (consumed once in the shared store), so node-saml's is off.
 */
export function buildNodeSaml(config: SamlConnectorConfig, urls: SamlUrls, keys: SpKeys, idp: ResolvedIdp): SAML {
  return new SAML({
    idpCert: idp.certificates,
    idpIssuer: idp.entityId,
    issuer: urls.entityId,
    audience: urls.entityId,
    callbackUrl: urls.acs,
    logoutCallbackUrl: urls.slo,
    entryPoint: idp.ssoUrl,
    wantAssertionsSigned: config.wantAssertionsSigned,
    wantAuthnResponseSigned: config.wantResponseSigned,
    acceptedClockSkewMs: config.clockSkewSeconds * 1000,
    validateInResponseTo: ValidateInResponseTo.never,
    signatureAlgorithm: 'sha256',
    digestAlgorithm: 'sha256',
    identifierFormat: null,
    ...(keys.encryption ? { decryptionPvk: keys.encryption.privateKeyPem } : {}),
    ...(keys.signing ? { privateKey: keys.signing.privateKeyPem, publicCert: keys.signing.certificatePem } : {}),
  });
}
