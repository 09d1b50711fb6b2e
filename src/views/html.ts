/** Server-rendered pages: plain HTML forms that work without JavaScript (SAML POSTs and OIDC redirects land here). */

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A tagged template that escapes every interpolated value unless it is `raw(...)`. */
export interface RawHtml { readonly __html: string }
export const raw = (html: string): RawHtml => ({ __html: html });
export function html(strings: TemplateStringsArray, ...values: (string | number | RawHtml | undefined)[]): RawHtml {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += v === undefined ? '' : typeof v === 'object' ? v.__html : escapeHtml(String(v));
    out += strings[i + 1] ?? '';
  });
  return raw(out);
}

const STYLE = `body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f4f5f7;color:#1e2329;margin:0}
main{max-width:400px;margin:8vh auto;background:#fff;padding:32px;border-radius:8px;box-shadow:0 2px 8px rgba(0,0,0,.08)}
h1{font-size:1.4rem;margin:0 0 1rem}label{display:block;margin:.8rem 0 .3rem;font-weight:600}
input{width:100%;box-sizing:border-box;padding:.6rem;border:1px solid #c4c9d0;border-radius:4px;font-size:1rem}
button{margin-top:1.2rem;width:100%;padding:.7rem;border:0;border-radius:4px;background:#1c58d9;color:#fff;font-size:1rem;cursor:pointer}
.sso{display:block;margin-top:.6rem;padding:.7rem;border-radius:4px;color:#fff;text-align:center;text-decoration:none}
.error{background:#fdecea;color:#8a1c12;padding:.6rem;border-radius:4px}.hint{color:#5d6670;font-size:.9rem}`;

export function page(title: string, body: RawHtml): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)} · Gatehouse</title><style>${STYLE}</style></head><body><main>${body.__html}</main></body></html>`;
}

/** Only same-site paths: `/x`, never `//host`, `/\host` or an absolute URL (open-redirect defence). */
export function safeReturnPath(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || value.length > 2048) return fallback;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\') || /[\u0000-\u001f]/.test(value)) return fallback;
  return value;
}
