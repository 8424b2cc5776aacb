// Serves the dashboard's three files (access 'public': they hold no data; the page reads the
// query API with a read token). Every answer carries:
// - a Content-Security-Policy allowing only this origin (CSP Level 3 'self'): no CDN, no remote
//   script, style, font, image or connection, no framing, no inline script or style markup;
// - an ETag (the content hash), so a revalidation is a 304 without a body (RFC 9110 §13.1.2);
// - Cache-Control: the page `no-cache` (always revalidated, so a new deployment shows at once);
//   the script and stylesheet `immutable` for a year when asked for by the current hash
//   (`?v=<hash>`, which the page uses), `no-cache` otherwise (RFC 8246, RFC 9111 §5.2.2).
import { DASHBOARD_ASSETS } from './assets.js';
import { HttpError } from '../http/http-error.js';

export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

// If-None-Match is a list of entity tags or `*` (RFC 9110 §13.1.2); weak comparison.
function matches(ifNoneMatch, etag) {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

export function serveDashboard(request, { url }) {
  const file = DASHBOARD_ASSETS.files[url.pathname];
  if (!file) throw new HttpError(404, `no dashboard file at ${url.pathname}`);
  const current = file.versioned && url.searchParams.get('v') === DASHBOARD_ASSETS.version;
  const headers = {
    'content-type': file.type,
    etag: file.etag,
    'cache-control': current ? 'public, max-age=31536000, immutable' : 'no-cache',
    'content-security-policy': DASHBOARD_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
  if (matches(request.headers.get('if-none-match'), file.etag)) return new Response(null, { status: 304, headers });
  return new Response(request.method === 'HEAD' ? null : file.body, { headers });
}
