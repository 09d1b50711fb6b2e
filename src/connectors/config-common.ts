/** Keys every connector has, with one meaning and one validation (documented here once). */
import { z } from 'zod';

/** Connector id: a slug used in URLs (`/auth/{id}/…`) and in account links; never change it once users have signed in. */
export const connectorId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a slug: lower-case letters, digits and dashes');
/** Button text on /login. */
export const connectorDisplayName = z.string().min(1).max(100);
/** Button colour on /login, `#rrggbb`. */
export const connectorButtonColor = (fallback: string) => z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a #rrggbb colour').default(fallback);

/**
 * Accept the IdP's own multi-factor authentication instead of asking for a Gatehouse code — only
 * when the response proves it (SAML AuthnContextClassRef such as REFEDS MFA or Microsoft's
 * multipleauthn; OIDC `amr` with `mfa` or two factors). A response without that proof still gets
 * the Gatehouse second factor. Default false.
 */
export const connectorTrustIdpMfa = z.boolean().default(false);
