// Per-exporter delivery accounting (stats().exporters[i]) and how one exporter's results for one
// drain are read. The pipeline (js/export-pipeline.js) combines exporters into the totals.
//
// For one exporter and one drain of R records whose format's encoding could not fit D of them:
//   exported + failed + dropped = R
// exported: records in payloads it delivered (2xx); failed: records in payloads it did not
// deliver, whatever the cause (failedByCause splits them); dropped: the D oversize records.

export class ExporterStats {
  constructor(exporter) {
    this.name = String(exporter.name ?? 'exporter');
    this.endpoint = String(exporter.endpoint ?? exporter.name ?? 'exporter');
    this.exported = 0;
    this.failed = 0;
    this.dropped = 0;
    this.payloadsSent = 0;
    this.payloadsFailed = 0;
    this.failedByCause = {};
    this.lastError = null;
  }

  snapshot() {
    return { ...this, failedByCause: { ...this.failedByCause } };
  }
}

// Reads what send() returned, trusting nothing a custom exporter may get wrong: the record count
// of each payload is the pipeline's own, a missing or malformed result is a failure, and only
// `ok === true` is a delivery.
export function summarize(payloads, results) {
  const summary = { delivered: 0, lost: 0, payloadsSent: 0, payloadsFailed: 0, byCause: new Map(), failures: [] };
  const list = Array.isArray(results) ? results : [];
  payloads.forEach((payload, i) => {
    const result = list[i];
    if (result?.ok === true) {
      summary.delivered += payload.records;
      summary.payloadsSent++;
      return;
    }
    const failure =
      result && typeof result === 'object'
        ? { cause: String(result.cause ?? 'unknown'), error: String(result.error ?? `HTTP ${result.status ?? '?'}`), url: result.url }
        : { cause: 'exporter', error: Array.isArray(results) ? 'send() returned no result for this payload' : 'send() did not return an array of results' };
    summary.lost += payload.records;
    summary.payloadsFailed++;
    summary.byCause.set(failure.cause, (summary.byCause.get(failure.cause) ?? 0) + payload.records);
    summary.failures.push(failure);
  });
  return summary;
}

// "payloads by cause: deadline 40, http 2" for the log line, in order of first appearance.
export function describeCauses(failures) {
  const counts = new Map();
  for (const f of failures) counts.set(f.cause, (counts.get(f.cause) ?? 0) + 1);
  return `payloads by cause: ${[...counts].map(([cause, n]) => `${cause} ${n}`).join(', ')}`;
}
