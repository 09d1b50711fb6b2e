import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { isGatewayError } from '../../../src/errors/gateway-error.js';
import { createMemoryStore } from '../../../src/store/ephemeral/memory.js';
import { generateSpKeyPair } from '../../../src/connectors/saml/keygen.js';
import { createSamlConnector } from '../../../src/connectors/saml/create-saml-connector.js';
import { samlConnectorSchema, type SamlConnectorInput } from '../../../src/connectors/saml/config-schema.js';

const dir = mkdtempSync(join(tmpdir(), 'gh-saml-'));
let idpCert: string;
let sp: { key: string; cert: string; encKey: string; encCert: string };
const deps = () => ({ siteUrl: 'https://chat.example.com', store: createMemoryStore(), logger: pino({ level: 'silent' }) });

beforeAll(async () => {
  const [idp, signing, enc] = await Promise.all([1, 2, 3].map(() => generateSpKeyPair({ commonName: 'x', bits: 2048 })));
  idpCert = idp!.certificatePem;
  const write = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));
  sp = { key: write('sp.key', signing!.privateKeyPem), cert: write('sp.crt', signing!.certificatePem), encKey: write('enc.key', enc!.privateKeyPem), encCert: write('enc.crt', enc!.certificatePem) };
  write('other.crt', enc!.certificatePem);
});

const input = (over: Partial<SamlConnectorInput> = {}): SamlConnectorInput => ({
  id: 'okta',
  type: 'saml',
  displayName: 'Okta',
  preset: 'okta',
  idp: { entityId: 'http://www.okta.com/exk1', ssoUrl: 'https://corp.okta.com/sso', sloUrl: 'https://corp.okta.com/slo', certificates: [idpCert] },
  sp: { privateKeyFile: sp.key, certificateFile: sp.cert, encryptionPrivateKeyFile: sp.encKey, encryptionCertificateFile: sp.encCert },
  ...over,
});

async function configProblem(over: Partial<SamlConnectorInput>): Promise<string> {
  const err = await createSamlConnector(samlConnectorSchema.parse(input(over)), deps()).then(() => null, (e: unknown) => e);
  if (!isGatewayError(err) || err.code !== 'SAML_CONFIG_INVALID') throw new Error(`expected SAML_CONFIG_INVALID, got ${String(err)}`);
  return err.detail ?? '';
}

describe('createSamlConnector', () => {
  it('publishes SP metadata with entity id, ACS, both SLO bindings, signing and encryption certificates', async () => {
    const c = await createSamlConnector(samlConnectorSchema.parse(input()), deps());
    const md = c.metadata();
    expect(md).toContain('entityID="https://chat.example.com/auth/okta/saml/metadata"');
    expect(md).toContain('Location="https://chat.example.com/auth/okta/saml/acs"');
    expect(md).toMatch(/HTTP-Redirect" Location="https:\/\/chat.example.com\/auth\/okta\/saml\/slo"/);
    expect(md).toMatch(/HTTP-POST" Location="https:\/\/chat.example.com\/auth\/okta\/saml\/slo"/);
    expect(md).toContain('use="signing"');
    expect(md).toContain('use="encryption"');
    expect(md).toContain('AuthnRequestsSigned="true"');
  });

  it('sends a signed HTTP-Redirect AuthnRequest and remembers its id for InResponseTo', async () => {
    const d = deps();
    const c = await createSamlConnector(samlConnectorSchema.parse(input()), d);
    const { redirectUrl, requestId } = await c.startLogin('rs-1');
    const url = new URL(redirectUrl);
    expect(url.origin + url.pathname).toBe('https://corp.okta.com/sso');
    expect([...url.searchParams.keys()]).toEqual(['SAMLRequest', 'RelayState', 'SigAlg', 'Signature']);
    expect(url.searchParams.get('SigAlg')).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    expect(await d.store.get(`saml-request:okta:${requestId}`)).not.toBeNull();
  });

  it('names the key and the fix when the SP key file is missing', async () => {
    expect(await configProblem({ sp: { privateKeyFile: join(dir, 'nope.key'), certificateFile: sp.cert } })).toMatch(/sp.privateKeyFile: cannot read .*gatehouse saml keygen/);
  });

  it('refuses a certificate that does not match the private key', async () => {
    expect(await configProblem({ sp: { privateKeyFile: sp.key, certificateFile: join(dir, 'other.crt') } })).toMatch(/sp.certificateFile: certificate does not match sp.privateKeyFile/);
  });

  it('refuses a metadata file that cannot be read, naming idp.metadataFile', async () => {
    expect(await configProblem({ idp: { metadataFile: join(dir, 'missing.xml') } })).toMatch(/idp.metadataFile: /);
  });

  it('reports every schema problem together for an unparsed config', async () => {
    const err = await createSamlConnector({ ...input(), id: 'Bad Id', wantAssertionsSigned: false } as never, deps()).catch((e: unknown) => e);
    expect(isGatewayError(err) && err.detail).toMatch(/id: must be a slug.*wantAssertionsSigned: at least one/);
  });
});
