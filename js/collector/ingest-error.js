// A request the collector refuses: the HTTP status and a JSON body naming what was wrong (and,
// for a malformed payload, the decoder's JSON path of the bad field). Everything the request
// handling throws on purpose is one of these; anything else is the collector's own bug.
export class IngestError extends Error {
  constructor(status, message, path = undefined) {
    super(message);
    this.name = 'IngestError';
    this.status = status;
    this.path = path;
  }

  toResponse() {
    const body = { error: this.message };
    if (this.path !== undefined) body.path = this.path;
    // RFC 6750 §3: a 401 names the scheme; RFC 9110 §15.5.6: a 405 lists the allowed methods.
    const headers = this.status === 401 ? { 'www-authenticate': 'Bearer realm="edgescope"' } : this.status === 405 ? { allow: 'POST' } : undefined;
    return Response.json(body, { status: this.status, headers });
  }
}
