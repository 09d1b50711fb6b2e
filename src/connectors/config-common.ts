/** Keys every connector has, with one meaning and one validation (documented here once). */
import { z } from 'zod';

/** Connector id: a slug used in URLs (`/auth/{id}/…`) and in account links; never change it once users have signed in. */
export const connectorId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a slug: lower-case letters, digits and dashes');
/** Button text on /login. */
export const connectorDisplayName = z.string().min(1).max(100);
/** Button colour on /login, `#rrggbb`. */
export const connectorButtonColor = (fallback: string) => z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a #rrggbb colour').default(fallback);
