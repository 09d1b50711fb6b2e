/** `GET /.well-known/jwks.json`: the public keys (active, next, retired-but-live), cacheable with an ETag. */
import { createHash } from 'node:crypto';
import type { GatewayContext } from '../context.js';
import type { RouteSpec } from '../authz/route-table.js';

export const JWKS_PATH = '/.well-known/jwks.json';

export function jwksRoutes(ctx: GatewayContext): RouteSpec[] {
  let cached: { published: unknown; body: string; etag: string } | undefined;
  return [
    {
      method: 'get', path: JWKS_PATH, access: { kind: 'public' },
      handler(req, res) {
        const published = ctx.keySet().published;
        if (cached?.published !== published) {
          const body = JSON.stringify({ keys: published });
          cached = { published, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
        }
        res.setHeader('Cache-Control', 'public, max-age=300');
        res.setHeader('ETag', cached.etag);
        if (req.headers['if-none-match'] === cached.etag) { res.status(304).end(); return; }
        res.setHeader('Content-Type', 'application/json');
        res.end(cached.body);
      },
    },
  ];
}
