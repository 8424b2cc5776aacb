// A request the collector refuses: the HTTP status and a JSON body naming what was wrong (and,
// for a malformed payload, the decoder's JSON path of the bad field). Everything request handling
// throws on purpose is one of these; anything else is the collector's own bug (a 500).
export class HttpError extends Error {
  // headers: extra response headers (the router sets Allow on a 405).
  constructor(status, message, path = undefined, headers = undefined) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.path = path;
    this.headers = headers;
  }

  toResponse() {
    const body = { error: this.message };
    if (this.path !== undefined) body.path = this.path;
    // RFC 6750 §3: a 401 names the scheme.
    const headers = { ...(this.status === 401 ? { 'www-authenticate': 'Bearer realm="edgescope"' } : {}), ...this.headers };
    return Response.json(body, { status: this.status, headers });
  }
}
