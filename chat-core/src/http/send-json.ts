/**
 * JSON responses with `Content-Type` exactly `application/json`: @mattermost/client parses a body
 * only then (Express's res.json adds `; charset=utf-8`). See STACK.md "Pitfalls".
 */
import type { Response } from 'express';

export function sendJson(res: Response, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/** Mattermost's `{status: 'OK'}` acknowledgement. */
export function sendOk(res: Response): void {
  sendJson(res, 200, { status: 'OK' });
}
