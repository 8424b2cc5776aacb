// Bearer-token authentication (RFC 6750 §2.1: `Authorization: Bearer <token>`). The presented
// token is compared with every configured one in time independent of where they differ (and
// without stopping at the first match), so response timing does not reveal a token's prefix.
import { HttpError } from './http-error.js';

const encoder = new TextEncoder();

// `presented` equals `expected`, in time that depends only on the expected token's length.
function sameBytes(presented, expected) {
  let diff = presented.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) diff |= (presented[i] ?? 0) ^ expected[i];
  return diff === 0;
}

// The configured tokens this env holds: literal ones, and secrets whose binding is set.
function liveTokens(tokens, env) {
  const out = [];
  for (const t of tokens) {
    const value = t.token ?? env?.[t.secret];
    if (typeof value === 'string' && value !== '') out.push({ name: t.name, bytes: encoder.encode(value) });
  }
  return out;
}

// The name of the token the request carries; throws a 401 HttpError otherwise.
// kind: 'ingest' (config `tokens`) or 'read' (config `readTokens`), for the messages.
export function authenticate(request, tokens, env, kind = 'ingest') {
  const live = liveTokens(tokens, env);
  // Fail closed: a deploy whose every token secret is missing accepts nobody.
  if (live.length === 0) {
    const key = kind === 'read' ? 'readTokens' : 'tokens';
    throw new HttpError(401, `no ${kind} token is configured on this collector (set the secrets its \`${key}\` name${kind === 'read' ? ', or publicRead: true' : ''})`);
  }
  const header = request.headers.get('authorization');
  const match = header === null ? null : /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  if (!match) throw new HttpError(401, 'missing bearer token: send `Authorization: Bearer <token>`');
  const presented = encoder.encode(match[1]);
  let name = null;
  for (const t of live) if (sameBytes(presented, t.bytes) && name === null) name = t.name;
  if (name === null) throw new HttpError(401, 'the bearer token is not one this collector accepts');
  return name;
}
