// Matches a request to one row of the route table (routes.js): the path first, then the method.
// A known path with another method is a 405 listing the allowed ones (RFC 9110 §15.5.6); an
// unknown path is a 404. Path patterns are literal segments and `:name` segments, which match
// one non-empty segment and arrive decoded in `params` (a malformed escape is a 400).
import { HttpError } from './http-error.js';

function compile(path) {
  const segments = path.split('/').slice(1);
  return (pathname) => {
    const parts = pathname.split('/').slice(1);
    if (parts.length !== segments.length) return null;
    const params = {};
    for (let i = 0; i < segments.length; i++) {
      const want = segments[i];
      if (want.startsWith(':')) {
        if (parts[i] === '') return null;
        try {
          params[want.slice(1)] = decodeURIComponent(parts[i]);
        } catch {
          throw new HttpError(400, `path segment ${JSON.stringify(parts[i])} is not valid percent-encoding`);
        }
      } else if (want !== parts[i]) return null;
    }
    return params;
  };
}

export function createRouter(routes) {
  const compiled = routes.map((route) => ({ ...route, match: compile(route.path) }));
  // -> { route, params }, or throws a 404 / 405 HttpError.
  return function route(method, pathname) {
    const allowed = [];
    for (const r of compiled) {
      const params = r.match(pathname);
      if (params === null) continue;
      if (r.method === method || (method === 'HEAD' && r.method === 'GET')) return { route: r, params };
      allowed.push(r.method);
    }
    if (allowed.length > 0) throw new HttpError(405, `${method} ${pathname}: use ${allowed.join(' or ')}`, undefined, { allow: allowed.join(', ') });
    throw new HttpError(404, `no endpoint at ${pathname}`);
  };
}
