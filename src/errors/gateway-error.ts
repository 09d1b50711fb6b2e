import { ERRORS, type ErrorCode } from './catalogue.js';

export interface GatewayErrorOptions {
  /** Log-only detail: why exactly, for the security log. Never shown to the client. */
  detail?: string;
  /** Shown to the client as Mattermost's `detailed_error` (only for safe, actionable input errors). */
  publicDetail?: string;
  /** Overrides the catalogue message (for input errors whose message names the field). */
  message?: string;
  cause?: unknown;
}

/** The one error type the gateway throws on purpose. `code` is stable; switch on it. */
export class GatewayError extends Error {
  readonly status: number;
  readonly mattermostId: string;
  readonly publicMessage: string;
  readonly detail: string | undefined;
  readonly publicDetail: string;

  constructor(readonly code: ErrorCode, options: GatewayErrorOptions = {}) {
    const entry = ERRORS[code];
    super(options.detail ? `${code}: ${options.detail}` : code, { cause: options.cause });
    this.name = 'GatewayError';
    this.status = entry.status;
    this.mattermostId = entry.id;
    this.publicMessage = options.message ?? entry.message;
    this.detail = options.detail;
    this.publicDetail = options.publicDetail ?? '';
  }
}

export function isGatewayError(err: unknown): err is GatewayError {
  return err instanceof GatewayError;
}
