// HTTP attributes under OpenTelemetry semantic-convention names (semconv 1.26 "HTTP spans"),
// written out here rather than importing the semconv package (hundreds of KB of constants).
export const ATTR = Object.freeze({
  method: 'http.request.method',
  status: 'http.response.status_code',
  route: 'http.route',
  errorType: 'error.type',
  urlFull: 'url.full',
  urlPath: 'url.path',
  urlScheme: 'url.scheme',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  userAgent: 'user_agent.original',
  clientAddress: 'client.address',
  faasTrigger: 'faas.trigger',
  faasCron: 'faas.cron',
  messagingSystem: 'messaging.system',
  messagingDestination: 'messaging.destination.name',
  messagingBatchCount: 'messaging.batch.message_count',
});

// url.full leaves out the query string: it often carries tokens, and semconv says sensitive
// parts SHOULD be redacted.
function urlAttributes(url) {
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return {
    [ATTR.urlFull]: `${url.origin}${url.pathname}`,
    [ATTR.urlScheme]: url.protocol.slice(0, -1),
    [ATTR.serverAddress]: url.hostname,
    [ATTR.serverPort]: port,
  };
}

// The client's address and headers are recorded only when the user opts in (config `capture`).
export function serverRequestAttributes(request, capture) {
  const url = new URL(request.url);
  const attributes = {
    [ATTR.method]: request.method,
    ...urlAttributes(url),
    [ATTR.urlPath]: url.pathname,
    [ATTR.userAgent]: request.headers.get('user-agent') ?? undefined,
    [ATTR.faasTrigger]: 'http',
  };
  if (capture?.clientAddress) attributes[ATTR.clientAddress] = request.headers.get('cf-connecting-ip') ?? undefined;
  if (capture?.requestHeaders.length) Object.assign(attributes, headerAttributes('request', request.headers, capture.requestHeaders));
  return attributes;
}

// Semantic conventions: http.{request,response}.header.<lowercase name>.
export function headerAttributes(direction, headers, names) {
  const out = {};
  for (const name of names) {
    const value = headers.get(name);
    if (value !== null) out[`http.${direction}.header.${name}`] = value;
  }
  return out;
}

export function clientRequestAttributes(request) {
  return { [ATTR.method]: request.method, ...urlAttributes(new URL(request.url)) };
}
