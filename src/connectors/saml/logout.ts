/**
 * Single Logout (profiles §4.4), both directions, Redirect and POST bindings. Every incoming
 * message must be signed by a configured IdP certificate (query-string signature for Redirect,
 * enveloped XML signature for POST) — unsigned is refused — and only the verified bytes are read.
 */
import type { SamlLogoutInput, SamlOutgoing, SamlSessionRef } from '../contract.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { SamlContext } from './connector-context.js';
import { buildLogoutRequest, buildLogoutResponse, newMessageId } from './messages.js';
import { REQUEST_TTL_MS, logoutRequestKey, rememberRequest } from './one-time-checks.js';
import { buildRedirectUrl, verifyRedirectMessage, type MessageParam } from './redirect-binding.js';
import { refuse } from './validate-response.js';
import { NS, childElements, decodeSamlMessage, findRefusedAlgorithm, fullText, parseXml, XmlGuardError } from './xml-guards.js';
import { signRootXml, verifyRootSignature } from './xml-signature.js';

function sloOf(ctx: SamlContext) {
  const slo = ctx.idp().slo;
  if (!slo) throw new GatewayError('SAML_CONFIG_INVALID', { detail: `connector ${ctx.config.id}: the IdP has no SingleLogoutService; set idp.sloUrl` });
  return slo;
}

export async function startLogout(ctx: SamlContext, input: SamlSessionRef & { relayState: string }): Promise<{ redirectUrl: string }> {
  const slo = sloOf(ctx);
  if (slo.binding !== 'redirect') {
    throw new GatewayError('SAML_CONFIG_INVALID', { detail: `connector ${ctx.config.id}: the IdP offers SLO over HTTP-POST only; set idp.sloUrl to a Redirect endpoint` });
  }
  const id = newMessageId();
  const xml = buildLogoutRequest({ id, nowMs: ctx.now(), destination: slo.url, spEntityId: ctx.urls.entityId, ...input });
  await rememberRequest(ctx.store, logoutRequestKey(ctx.config.id, id), input.relayState);
  const key = ctx.keys.signRequests ? ctx.keys.signing?.privateKey : undefined;
  return { redirectUrl: buildRedirectUrl({ endpoint: slo.url, param: 'SAMLRequest', xml, relayState: input.relayState, ...(key ? { privateKey: key } : {}) }) };
}

/** The verified message XML and RelayState, whichever binding carried it. */
async function verifiedMessage(ctx: SamlContext, input: SamlLogoutInput, param: MessageParam): Promise<{ xml: string; relayState: string }> {
  const certs = ctx.idp().certificates;
  const maxBytes = ctx.config.maxResponseBytes;
  if (input.binding === 'redirect') {
    const m = verifyRedirectMessage(input.rawQuery, certs, { allowSha1: ctx.config.allowSha1, maxBytes });
    if (m.param !== param) throw new XmlGuardError(`expected ${param}, got ${m.param}`);
    return { xml: m.xml, relayState: m.relayState };
  }
  const encoded = input.body[param];
  if (typeof encoded !== 'string' || !encoded) throw new XmlGuardError(`no ${param} in the form`);
  const xml = decodeSamlMessage(encoded.trim(), maxBytes, false);
  const weak = findRefusedAlgorithm(parseXml(xml), ctx.config);
  if (weak) throw new XmlGuardError(weak);
  return { xml: verifyRootSignature(xml, certs), relayState: typeof input.body.RelayState === 'string' ? input.body.RelayState : '' };
}

/** Common checks on a verified logout message (core §3.2.2, bindings §3.4.5.2 / §3.5.5.2). */
function checkEnvelope(ctx: SamlContext, xml: string, rootName: string): Element {
  const root = parseXml(xml).documentElement;
  if (root.localName !== rootName || root.namespaceURI !== NS.protocol) throw new XmlGuardError(`expected samlp:${rootName}, got ${root.localName}`);
  const issuer = childElements(root, NS.assertion, 'Issuer')[0];
  const idp = ctx.idp();
  if (!issuer || fullText(issuer) !== idp.entityId) throw new XmlGuardError(`Issuer ${issuer ? fullText(issuer) : '(none)'} is not the IdP ${idp.entityId}`);
  // A signed message must name its Destination, and it must be our SLO endpoint.
  if (root.getAttribute('Destination') !== ctx.urls.slo) throw new XmlGuardError(`Destination ${root.getAttribute('Destination') ?? '(none)'} is not our SLO URL`);
  const issued = Date.parse(root.getAttribute('IssueInstant') ?? '');
  const skew = ctx.config.clockSkewSeconds * 1000;
  if (Number.isNaN(issued) || issued > ctx.now() + skew || issued < ctx.now() - REQUEST_TTL_MS - skew) throw new XmlGuardError('IssueInstant missing or outside the accepted window');
  const notOnOrAfter = root.getAttribute('NotOnOrAfter');
  if (notOnOrAfter && ctx.now() - skew >= Date.parse(notOnOrAfter)) throw new XmlGuardError('logout message expired (NotOnOrAfter)');
  return root;
}

function buildResponse(ctx: SamlContext, inResponseTo: string, relayState: string, success: boolean): SamlOutgoing {
  const slo = sloOf(ctx);
  const xml = buildLogoutResponse({ id: newMessageId(), nowMs: ctx.now(), destination: slo.url, spEntityId: ctx.urls.entityId, inResponseTo, success });
  const signing = ctx.keys.signing;
  if (slo.binding === 'redirect') {
    return { binding: 'redirect', url: buildRedirectUrl({ endpoint: slo.url, param: 'SAMLResponse', xml, relayState, ...(signing ? { privateKey: signing.privateKey } : {}) }) };
  }
  const signed = signing ? signRootXml(xml, signing.privateKey, signing.certificatePem) : xml;
  const fields: Record<string, string> = { SAMLResponse: Buffer.from(signed, 'utf8').toString('base64') };
  if (relayState) fields.RelayState = relayState;
  return { binding: 'post', url: slo.url, fields };
}

export async function receiveLogoutRequest(ctx: SamlContext, input: SamlLogoutInput) {
  try {
    const { xml, relayState } = await verifiedMessage(ctx, input, 'SAMLRequest');
    const root = checkEnvelope(ctx, xml, 'LogoutRequest');
    const id = root.getAttribute('ID');
    if (!id) throw new XmlGuardError('LogoutRequest has no ID');
    if (childElements(root, NS.assertion, 'EncryptedID').length > 0) throw new XmlGuardError('EncryptedID in LogoutRequest is not supported');
    const nameIds = childElements(root, NS.assertion, 'NameID');
    if (nameIds.length !== 1) throw new XmlGuardError(`LogoutRequest has ${nameIds.length} NameID elements; exactly one is required`);
    // A replayed LogoutRequest is harmless-looking but lets an old message end new sessions.
    if (!(await ctx.store.setIfAbsent(`saml-logout-seen:${ctx.config.id}:${id}`, '1', REQUEST_TTL_MS * 2))) throw new XmlGuardError(`LogoutRequest ${id} was already used (replay)`);
    const sessionIndexes = childElements(root, NS.protocol, 'SessionIndex').map(fullText).filter(Boolean);
    return { nameId: fullText(nameIds[0] as Element), sessionIndexes, respond: (success: boolean) => buildResponse(ctx, id, relayState, success) };
  } catch (err) {
    throw refuse(ctx, 'SAML_INVALID_LOGOUT', 'saml logout refused', err);
  }
}

export async function receiveLogoutResponse(ctx: SamlContext, input: SamlLogoutInput): Promise<{ success: boolean; relayState: string }> {
  try {
    const { xml, relayState } = await verifiedMessage(ctx, input, 'SAMLResponse');
    const root = checkEnvelope(ctx, xml, 'LogoutResponse');
    const inResponseTo = root.getAttribute('InResponseTo');
    if (!inResponseTo) throw new XmlGuardError('LogoutResponse has no InResponseTo');
    if ((await ctx.store.consume(logoutRequestKey(ctx.config.id, inResponseTo))) === null) throw new XmlGuardError(`InResponseTo ${inResponseTo} is unknown, expired or already used`);
    const status = childElements(root, NS.protocol, 'Status')[0];
    const code = status ? childElements(status, NS.protocol, 'StatusCode')[0]?.getAttribute('Value') : undefined;
    return { success: code === 'urn:oasis:names:tc:SAML:2.0:status:Success', relayState };
  } catch (err) {
    throw refuse(ctx, 'SAML_INVALID_LOGOUT', 'saml logout refused', err);
  }
}
