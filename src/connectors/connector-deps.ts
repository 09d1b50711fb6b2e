/** What every connector factory is handed, and the one way they report configuration mistakes. */
import type { Logger } from 'pino';
import type { z } from 'zod';
import { GatewayError } from '../errors/gateway-error.js';
import type { ErrorCode } from '../errors/catalogue.js';
import type { EphemeralStore } from '../store/ephemeral/contract.js';

export interface ConnectorDeps {
  siteUrl: string;
  store: EphemeralStore;
  logger: Logger;
  now?: () => number;
  /** Used for every request to the provider (metadata, discovery, token, userinfo, JWKS). */
  fetch?: typeof fetch;
  /** Where presets live; default the repository's providers/ folder. */
  providersDir?: URL | string;
}

export type ConfigErrorCode = Extract<ErrorCode, 'SAML_CONFIG_INVALID' | 'OIDC_CONFIG_INVALID' | 'LDAP_CONFIG_INVALID'>;

export function connectorConfigError(code: ConfigErrorCode, id: string, detail: string, cause?: unknown): GatewayError {
  return new GatewayError(code, { detail: `connector ${id}: ${detail}`, publicDetail: detail, cause });
}

/** Validate a connector's config against its schema, every problem in one error naming the connector. */
export function parseConnectorConfig<S extends z.ZodType>(schema: S, config: unknown, code: ConfigErrorCode): z.output<S> {
  const parsed = schema.safeParse(config);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw connectorConfigError(code, String((config as { id?: unknown } | null)?.id ?? '?'), problems);
}
