import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSpKeyPair } from '../../../src/connectors/saml/keygen.js';
import {
  assertMetadataUrlAllowed,
  createMetadataSource,
  fetchMetadataXml,
  parseIdpMetadata,
} from '../../../src/connectors/saml/idp-metadata.js';

const der = (pem: string) => pem.replace(/-----[A-Z ]+-----|\s/g, '');
let certA: string;
let certB: string;
let certEnc: string;

function metadata(entityId: string, signing: string[], extra = ''): string {
  const kd = (c: string, use?: string) =>
    `<md:KeyDescriptor${use ? ` use="${use}"` : ''}><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${der(c)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
  return (
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityId}">` +
    `<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
    signing.map((c, i) => kd(c, i === 0 ? 'signing' : undefined)).join('') +
    kd(certEnc, 'encryption') +
    `<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example/slo/post"/>` +
    `<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/slo"/>` +
    `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/sso"/>` +
    `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example/sso/post"/>` +
    `${extra}</md:IDPSSODescriptor></md:EntityDescriptor>`
  );
}

let server: Server;
let base: string;
const routes = new Map<string, () => { status: number; body: string }>();

beforeAll(async () => {
  [certA, certB, certEnc] = (await Promise.all([1, 2, 3].map(() => generateSpKeyPair({ commonName: 'idp', bits: 2048 })))).map((k) => k.certificatePem) as [string, string, string];
  server = createServer((req, res) => {
    const route = routes.get(req.url ?? '');
    if (!route) return void res.writeHead(404).end();
    const { status, body } = route();
    res.writeHead(status, { 'content-type': 'application/xml' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('parseIdpMetadata', () => {
  it('reads the entity id, SSO and SLO URLs per binding, and every signing certificate', () => {
    const m = parseIdpMetadata(metadata('https://idp.example/entity', [certA, certB]));
    expect(m.entityId).toBe('https://idp.example/entity');
    expect(m.ssoUrls).toEqual({ redirect: 'https://idp.example/sso', post: 'https://idp.example/sso/post' });
    expect(m.sloUrls).toEqual({ redirect: 'https://idp.example/slo', post: 'https://idp.example/slo/post' });
    expect(m.signingCertificates.map(der)).toEqual([der(certA), der(certB)]);
  });

  it('leaves out encryption-only certificates', () => {
    const m = parseIdpMetadata(metadata('e', [certA]));
    expect(m.signingCertificates.map(der)).not.toContain(der(certEnc));
  });

  it('picks the wanted IdP out of an EntitiesDescriptor', () => {
    const xml = `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">${metadata('one', [certA]).replace(/^<md:EntityDescriptor xmlns:md="[^"]+"/, '<md:EntityDescriptor')}${metadata('two', [certB]).replace(/^<md:EntityDescriptor xmlns:md="[^"]+"/, '<md:EntityDescriptor')}</md:EntitiesDescriptor>`;
    expect(parseIdpMetadata(xml, 'two').signingCertificates.map(der)).toEqual([der(certB)]);
    expect(() => parseIdpMetadata(xml)).toThrow(/several IdPs; set idp.entityId/);
  });

  it('refuses metadata with a DOCTYPE', () => {
    expect(() => parseIdpMetadata(`<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${metadata('e', [certA])}`)).toThrow(/DOCTYPE/);
  });

  it('refuses a certificate that does not parse', () => {
    expect(() => parseIdpMetadata(metadata('e', ['-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----']))).toThrow(/does not parse/);
  });
});

describe('metadata URLs', () => {
  it('allows https anywhere and http only on loopback', () => {
    expect(assertMetadataUrlAllowed('https://login.microsoftonline.com/x/federationmetadata.xml').protocol).toBe('https:');
    expect(assertMetadataUrlAllowed('http://127.0.0.1:8080/md').hostname).toBe('127.0.0.1');
    expect(() => assertMetadataUrlAllowed('http://idp.example/md')).toThrow(/must be https/);
    expect(() => assertMetadataUrlAllowed('file:///etc/passwd')).toThrow(/must be https/);
  });

  it('fetches metadata from a loopback server', async () => {
    routes.set('/md', () => ({ status: 200, body: metadata('fetched', [certA]) }));
    expect(parseIdpMetadata(await fetchMetadataXml(`${base}/md`)).entityId).toBe('fetched');
  });

  it('refuses metadata larger than the cap', async () => {
    routes.set('/big', () => ({ status: 200, body: metadata('big', [certA], `<!-- ${'x'.repeat(50_000)} -->`) }));
    await expect(fetchMetadataXml(`${base}/big`, { maxBytes: 10_000 })).rejects.toThrow(/larger than 10000/);
  });

  it('gives up on a server that does not answer in time', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/md`;
    await expect(fetchMetadataXml(url, { timeoutMs: 50 })).rejects.toThrow(/timeout|aborted/i);
    silent.closeAllConnections();
    await new Promise<void>((r) => silent.close(() => r()));
  });

  it('keeps the last good copy when a refresh fails, and takes the new one when it works', async () => {
    let now = 0;
    let answer = { status: 200, body: metadata('v1', [certA]) };
    routes.set('/rollover', () => answer);
    const errors: string[] = [];
    const source = await createMetadataSource({ url: `${base}/rollover`, refreshMs: 60_000, now: () => now, onRefreshError: (e) => errors.push(e.message) });
    expect(source.current().entityId).toBe('v1');

    answer = { status: 500, body: '' };
    now = 61_000;
    expect(await source.refresh()).toBeInstanceOf(Error);
    expect(source.current().entityId).toBe('v1');
    expect(errors).toEqual(['metadata URL answered HTTP 500']);

    answer = { status: 200, body: metadata('v1', [certA, certB]) };
    expect(await source.refresh()).toBeNull();
    expect(source.current().signingCertificates).toHaveLength(2);
  });

  it('refuses to start without a first good copy', async () => {
    routes.set('/broken', () => ({ status: 200, body: '<not-metadata/>' }));
    await expect(createMetadataSource({ url: `${base}/broken`, refreshMs: 1000, now: () => 0, onRefreshError: () => undefined })).rejects.toThrow(/no IdP EntityDescriptor/);
  });
});
