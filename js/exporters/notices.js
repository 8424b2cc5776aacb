// What an exporter says on the console about one send(), beyond the pipeline's own "export failed"
// line: refusals that need a human (credentials refused, data refused, a record too large for the
// collector, records rejected in a partial success). Gathered over the whole send() and written
// once per kind, collector URL and status, so 200 payloads refused alike make one line, not 200.
const TEXT = {
  // 401/403: loud, because every flush fails the same way until someone fixes the token.
  auth: (n) =>
    `the collector at ${n.url} refused the credentials (${n.error}) for ${n.records} record(s) in ${n.payloads} payload(s); check bearerToken and headers. The records are not dropped: they are returned for a later flush`,
  rejected: (n) => `the collector at ${n.url} refused ${n.records} record(s) in ${n.payloads} payload(s) (${n.error}); dropped, not retried (OTLP/HTTP: a 4xx other than 429 must not be retried)`,
  compression: (n) => `${n.records} record(s) in ${n.payloads} payload(s) for ${n.url} not sent: ${n.error}; kept for a later flush (compression: 'gzip' never falls back to an uncompressed body)`,
  'too-large': (n) => `${n.records} record(s) dropped: ${n.error}`,
  partial: (n) => `the collector at ${n.url} rejected ${n.records} record(s) of ${n.payloads} accepted payload(s) (OTLP partial success): ${n.error || '(no message)'}`,
  warning: (n) => `the collector at ${n.url} accepted ${n.payloads} payload(s) with a warning (OTLP partial success): ${n.error}`,
};

export class ExportNotices {
  constructor(exporterName) {
    this.exporterName = exporterName;
    this.entries = new Map();
  }

  // kind: a key of TEXT; error: the first payload's explanation (already bounded).
  add(kind, { url, status = 0, error = '', records = 0 }) {
    const key = `${kind} ${url} ${status}`;
    const entry = this.entries.get(key);
    if (entry) {
      entry.payloads++;
      entry.records += records;
    } else {
      this.entries.set(key, { kind, url, error, records, payloads: 1 });
    }
  }

  write() {
    for (const entry of this.entries.values()) {
      const line = `[edgescope] ${this.exporterName} exporter: ${TEXT[entry.kind](entry)}`;
      if (entry.kind === 'warning') console.warn(line);
      else console.error(line);
    }
    this.entries.clear();
  }
}
