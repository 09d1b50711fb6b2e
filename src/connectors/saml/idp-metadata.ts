/**
 * IdP metadata (SAML metadata §2.4.3 IDPSSODescriptor): entity id, SSO and SLO endpoints per
 * binding, and every signing certificate (several during a rollover). Loaded from a file or a URL;
 * a URL is fetched with a timeout and a size cap, https only except loopback, and the last good
 * copy is kept when a refresh fails.
 */
import { readFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { NS, childElements, descendants, fullText, parseXml, XmlGuardError } from './xml-guards.js';

export const BINDING = {
  redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  post: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
} as const;

export interface IdpMetadata {
  entityId: string;
  ssoUrls: { redirect?: string; post?: string };
  sloUrls: { redirect?: string; post?: string };
  /** PEM certificates with `use="signing"` or no `use` (SAML metadata §2.4.1.1). */
  signingCertificates: string[];
}

export const METADATA_MAX_BYTES = 1_048_576;
export const METADATA_TIMEOUT_MS = 10_000;

export function toPem(base64Der: string): string {
  const body = base64Der.replace(/\s+/g, '');
  const lines = body.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

function endpoints(descriptor: Element, name: string): { redirect?: string; post?: string } {
  const out: { redirect?: string; post?: string } = {};
  for (const el of childElements(descriptor, NS.metadata, name)) {
    const binding = el.getAttribute('Binding');
    const location = el.getAttribute('Location');
    if (!location) continue;
    if (binding === BINDING.redirect && !out.redirect) out.redirect = location;
    if (binding === BINDING.post && !out.post) out.post = location;
  }
  return out;
}

function signingCertificates(descriptor: Element): string[] {
  const certs: string[] = [];
  for (const kd of childElements(descriptor, NS.metadata, 'KeyDescriptor')) {
    const use = kd.getAttribute('use');
    if (use && use !== 'signing') continue;
    for (const c of descendants(kd, NS.dsig, 'X509Certificate')) {
      const pem = toPem(fullText(c));
      try {
        new X509Certificate(pem);
      } catch {
        throw new XmlGuardError('IdP metadata holds a certificate that does not parse');
      }
      if (!certs.includes(pem)) certs.push(pem);
    }
  }
  return certs;
}

/** Parse IdP metadata XML; the EntityDescriptor may be the root or inside an EntitiesDescriptor. */
export function parseIdpMetadata(xml: string, wantedEntityId?: string): IdpMetadata {
  const doc = parseXml(xml);
  const entities = descendants(doc, NS.metadata, 'EntityDescriptor').filter(
    (e) => childElements(e, NS.metadata, 'IDPSSODescriptor').length > 0,
  );
  const entity = wantedEntityId ? entities.find((e) => e.getAttribute('entityID') === wantedEntityId) : entities[0];
  if (!entity) throw new XmlGuardError(wantedEntityId ? `no IdP EntityDescriptor with entityID ${wantedEntityId}` : 'no IdP EntityDescriptor (IDPSSODescriptor) found');
  if (!wantedEntityId && entities.length > 1) throw new XmlGuardError('metadata describes several IdPs; set idp.entityId to choose one');
  const descriptor = childElements(entity, NS.metadata, 'IDPSSODescriptor')[0] as Element;
  const entityId = entity.getAttribute('entityID');
  if (!entityId) throw new XmlGuardError('EntityDescriptor has no entityID');
  return {
    entityId,
    ssoUrls: endpoints(descriptor, 'SingleSignOnService'),
    sloUrls: endpoints(descriptor, 'SingleLogoutService'),
    signingCertificates: signingCertificates(descriptor),
  };
}

/** https only, except http on loopback (a local test IdP or a sidecar). */
export function assertMetadataUrlAllowed(raw: string): URL {
  const url = new URL(raw);
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) || url.hostname.startsWith('127.');
  if (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) return url;
  throw new XmlGuardError(`metadata URL must be https (http only for loopback): ${url.protocol}//${url.host}`);
}

async function readCapped(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<string> {
  if (!body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new XmlGuardError(`metadata larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface FetchMetadataOptions {
  fetch?: typeof fetch;
  timeoutMs?: number;
  maxBytes?: number;
}

/** Fetch metadata XML from a URL: scheme checked, no redirects followed, timeout, size cap. */
export async function fetchMetadataXml(rawUrl: string, options: FetchMetadataOptions = {}): Promise<string> {
  const url = assertMetadataUrlAllowed(rawUrl);
  const doFetch = options.fetch ?? fetch;
  const maxBytes = options.maxBytes ?? METADATA_MAX_BYTES;
  // redirect: 'error' — a redirect could lead to http:// or an internal host we did not vet.
  const res = await doFetch(url, { redirect: 'error', signal: AbortSignal.timeout(options.timeoutMs ?? METADATA_TIMEOUT_MS) });
  if (!res.ok) throw new XmlGuardError(`metadata URL answered HTTP ${res.status}`);
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new XmlGuardError(`metadata larger than ${maxBytes} bytes`);
  return readCapped(res.body, maxBytes);
}

export async function readMetadataFile(path: string, maxBytes = METADATA_MAX_BYTES): Promise<string> {
  const buf = await readFile(path);
  if (buf.length > maxBytes) throw new XmlGuardError(`metadata file larger than ${maxBytes} bytes`);
  return buf.toString('utf8');
}

export interface MetadataSource {
  /** The last good metadata; starts a background refresh when it is older than the refresh period. */
  current(): IdpMetadata;
  /** Fetch again now; on failure the last good copy stays and the error is returned (not thrown). */
  refresh(): Promise<Error | null>;
}

export interface MetadataSourceOptions extends FetchMetadataOptions {
  url: string;
  entityId?: string;
  refreshMs: number;
  now: () => number;
  onRefreshError: (err: Error) => void;
}

/**
 * A URL-backed source. The first load must succeed (a connector never starts without metadata);
 * later refreshes are lazy — triggered by use, never by a timer — and keep the last good copy.
 */
export async function createMetadataSource(options: MetadataSourceOptions): Promise<MetadataSource> {
  const load = async () => parseIdpMetadata(await fetchMetadataXml(options.url, options), options.entityId);
  let good = await load();
  let loadedAt = options.now();
  let inFlight: Promise<Error | null> | null = null;
  const refresh = (): Promise<Error | null> => {
    inFlight ??= load()
      .then((m) => ((good = m), null))
      .catch((err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        options.onRefreshError(e);
        return e;
      })
      // A failed refresh waits a whole period too, so a dead IdP is not hammered on every login.
      .finally(() => ((loadedAt = options.now()), (inFlight = null)));
    return inFlight;
  };
  return {
    current() {
      if (options.now() - loadedAt >= options.refreshMs) void refresh();
      return good;
    },
    refresh,
  };
}
