/**
 * The ACS: validate a posted SAMLResponse, as a list of steps in order —
 *   1. precheck (size cap before decoding, base64, DOCTYPE/ENTITY refused before any parser,
 *      Response shape, exactly one assertion in the whole document, Status Success, Destination,
 *      Response Issuer, SHA-1 / AES-CBC / 3DES / RSA1_5 refused);
 *   2. for an encrypted assertion: the algorithms inside it too;
 *   3. node-saml `validatePostResponseAsync` (signatures with the configured certificates only,
 *      wrapping defences, decryption, Audience, Conditions window);
 *   4. checks on the verified assertion (Issuer, NotOnOrAfter required, bearer Recipient, window);
 *   5. InResponseTo consumed once, then the assertion id recorded once (shared store);
 *   6. the identity mapped from the verified assertion only.
 * Any failure: a warn log with the precise reason, then SAML_INVALID_RESPONSE.
 */
import { promisify } from 'node:util';
import xmlenc from 'xml-encryption';
import type { SamlLoginResult } from '../contract.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { mapIdentity, MappingError } from './attributes.js';
import { checkAssertion } from './assertion-checks.js';
import type { SamlContext } from './connector-context.js';
import { consumeInResponseTo, recordAssertionOnce } from './one-time-checks.js';
import { precheckResponse, type PrecheckedResponse } from './response-precheck.js';
import { NS, descendants, findRefusedAlgorithm, parseXml, XmlGuardError } from './xml-guards.js';

const decrypt = promisify(xmlenc.decrypt) as (xml: string, options: { key: string; disallowDecryptionWithInsecureAlgorithm: boolean }) => Promise<string>;

/** Step 2: node-saml hands back the decrypted assertion without its Signature, so look first. */
async function checkEncryptedAlgorithms(ctx: SamlContext, pre: PrecheckedResponse): Promise<void> {
  if (!ctx.keys.encryption) throw new XmlGuardError('encrypted assertion received but sp.encryptionPrivateKeyFile is not configured');
  if (ctx.config.allowSha1) return;
  const encrypted = descendants(pre.doc, NS.assertion, 'EncryptedAssertion')[0] as Element;
  let plain: string;
  try {
    plain = await decrypt(encrypted.toString(), { key: ctx.keys.encryption.privateKeyPem, disallowDecryptionWithInsecureAlgorithm: true });
  } catch (err) {
    throw new XmlGuardError(`encrypted assertion does not decrypt: ${(err as Error).message}`);
  }
  const weak = findRefusedAlgorithm(parseXml(plain), ctx.config);
  if (weak) throw new XmlGuardError(weak);
}

const NODE_SAML_REASONS: Array<[RegExp, string]> = [
  [/^Invalid document signature$/, 'Response signature missing or invalid (wantResponseSigned)'],
  [/^Invalid signature$/, 'Assertion signature missing or invalid (wantAssertionsSigned, or the Response is unsigned)'],
  [/^Invalid signature from encrypted assertion$/, 'signature of the encrypted assertion missing or invalid'],
];

function explainNodeSaml(message: string): string {
  const hit = NODE_SAML_REASONS.find(([re]) => re.test(message));
  return hit ? `${hit[1]} [${message}]` : message;
}

/** Step 3, with library errors translated to a reason. */
async function verifyWithNodeSaml(ctx: SamlContext, pre: PrecheckedResponse): Promise<string> {
  let result: Awaited<ReturnType<ReturnType<SamlContext['nodeSaml']>['validatePostResponseAsync']>>;
  try {
    // Re-encode what we checked, so node-saml sees exactly those bytes (base64 decoding is lenient).
    result = await ctx.nodeSaml().validatePostResponseAsync({ SAMLResponse: Buffer.from(pre.xml, 'utf8').toString('base64') });
  } catch (err) {
    throw new XmlGuardError(`node-saml: ${explainNodeSaml((err as Error).message)}`);
  }
  const xml = result.profile?.getAssertionXml?.();
  if (!xml) throw new XmlGuardError('node-saml returned no verified assertion');
  return xml;
}

async function validate(ctx: SamlContext, samlResponse: string): Promise<SamlLoginResult> {
  if (typeof samlResponse !== 'string' || samlResponse.length === 0) throw new XmlGuardError('no SAMLResponse');
  const idp = ctx.idp();
  const pre = precheckResponse(samlResponse, { maxBytes: ctx.config.maxResponseBytes, acsUrls: ctx.acsUrls, idpEntityId: idp.entityId,
    allowSha1: ctx.config.allowSha1,
    allowAesCbc: ctx.config.allowAesCbc,
    wantAssertionsSigned: ctx.config.wantAssertionsSigned,
    wantResponseSigned: ctx.config.wantResponseSigned,
  });
  if (pre.encrypted) await checkEncryptedAlgorithms(ctx, pre);
  const verifiedXml = await verifyWithNodeSaml(ctx, pre);
  const nowMs = ctx.now();
  const skewMs = ctx.config.clockSkewSeconds * 1000;
  const a = checkAssertion(verifiedXml, { idpEntityId: idp.entityId, acsUrls: ctx.acsUrls, nowMs, skewMs });
  // Map before the one-time steps: a response we would refuse anyway must not burn the request id.
  const identity = mapIdentity(ctx.config, ctx.attributeMap, a);
  const { unsolicited, relayState } = await consumeInResponseTo(ctx.store, ctx.config.id, { response: pre.inResponseTo, assertion: a.inResponseTo }, ctx.config.allowIdpInitiated);
  await recordAssertionOnce(ctx.store, ctx.config.id, a.assertionId, a.notOnOrAfterMs, nowMs, skewMs);
  return { identity, session: { nameId: a.nameId, nameIdFormat: a.nameIdFormat, sessionIndex: a.sessionIndex }, relayState, unsolicited };
}

export async function finishLogin(ctx: SamlContext, samlResponse: string): Promise<SamlLoginResult> {
  try {
    return await validate(ctx, samlResponse);
  } catch (err) {
    throw refuse(ctx, 'SAML_INVALID_RESPONSE', 'saml response refused', err);
  }
}

/** Log the precise reason (never the message itself) and build the generic public error. */
export function refuse(ctx: SamlContext, code: 'SAML_INVALID_RESPONSE' | 'SAML_INVALID_LOGOUT', msg: string, err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  const known = err instanceof XmlGuardError || err instanceof MappingError;
  const reason = known ? (err as Error).message : `unexpected error: ${(err as Error)?.message ?? String(err)}`;
  ctx.logger.warn({ connector: ctx.config.id, reason }, msg);
  return new GatewayError(code, { detail: reason, cause: err });
}
