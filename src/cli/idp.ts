/**
 * `gatehouse idp import <metadata file | URL>`: read IdP metadata and print a SAML connector built
 * from it (entity id, SSO and SLO URLs, every signing certificate with its expiry) to add to
 * `connectors`. `gatehouse saml test <id>`: load a configured connector as the server would and
 * report what it resolved.
 */
import { X509Certificate } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { fetchMetadataXml, parseIdpMetadata, readMetadataFile } from '../connectors/saml/idp-metadata.js';
import { samlPresetNames } from '../connectors/saml/config-schema.js';
import { isGatewayError } from '../errors/gateway-error.js';
import { withOfflineGateway } from './offline-gateway.js';
import type { CliIo } from './run.js';

const DAY_MS = 86_400_000;

export function describeCertificate(pemOrDer: string | Buffer, now = Date.now()): string {
  const cert = new X509Certificate(pemOrDer);
  const expires = new Date(cert.validTo);
  const days = Math.floor((expires.getTime() - now) / DAY_MS);
  const warning = days < 0 ? '  EXPIRED' : days < 30 ? `  expires in ${days} days: plan the rollover` : '';
  return `${cert.subject.replace(/\n/g, ', ')} · valid until ${expires.toISOString().slice(0, 10)}${warning}`;
}

export async function runIdpImport(rest: string[], flags: { id?: string; preset?: string }, io: CliIo): Promise<number> {
  const [sub, source] = rest;
  if (sub !== 'import' || !source) { io.err('usage: gatehouse idp import <metadata.xml | https://…> [--id ID] [--preset okta|onelogin|adfs|entra-id|generic]\n'); return 2; }
  const preset = flags.preset ?? 'generic';
  if (!(samlPresetNames as readonly string[]).includes(preset)) { io.err(`--preset must be one of ${samlPresetNames.join(', ')}\n`); return 2; }
  let metadata;
  try {
    const xml = /^https?:\/\//.test(source) ? await fetchMetadataXml(source) : await readMetadataFile(source);
    metadata = parseIdpMetadata(xml);
  } catch (err) {
    io.err(`cannot use ${source}: ${(err as Error).message}\n`);
    return 1;
  }
  const fromUrl = /^https?:\/\//.test(source);
  const connector = {
    id: flags.id ?? preset.replace('generic', 'saml'), type: 'saml', displayName: `Sign in with ${flags.id ?? preset}`, preset,
    idp: fromUrl ? { metadataUrl: source } : { metadataFile: source },
  };
  io.out(`${JSON.stringify(connector, null, 2)}\n`);
  io.err(`IdP ${metadata.entityId}\n  SSO (redirect): ${metadata.ssoUrls.redirect ?? 'none — set idp.ssoUrl'}\n  SLO: ${metadata.sloUrls.redirect ?? metadata.sloUrls.post ?? 'none (Single Logout not offered)'}\n`);
  for (const pem of metadata.signingCertificates) io.err(`  signing certificate: ${describeCertificate(pem)}\n`);
  return 0;
}

export async function runSamlTest(id: string | undefined, config: Config, logger: Logger, io: CliIo): Promise<number> {
  try {
    return await withOfflineGateway(config, logger, async ({ ctx }) => {
      const connector = id ? ctx.connectors.saml(id) : ctx.connectors.defaultSaml();
      const { redirectUrl } = await connector.startLogin('connector-test');
      const url = new URL(redirectUrl);
      io.out(`connector ${connector.id}: configuration loads, IdP metadata resolves\n  AuthnRequest goes to ${url.origin}${url.pathname}${url.searchParams.has('Signature') ? ' (signed)' : ' (unsigned)'}\n`);
      const certs = [...connector.metadata().matchAll(/<(?:ds:)?X509Certificate>([^<]+)</g)].map((m) => m[1]!);
      for (const body of new Set(certs)) io.out(`  SP certificate: ${describeCertificate(Buffer.from(body.replace(/\s+/g, ''), 'base64'))}\n`);
      return 0;
    });
  } catch (err) {
    if (!isGatewayError(err)) throw err;
    io.err(`connector test failed: ${err.detail ?? err.publicMessage}\n`);
    return 1;
  }
}
