// How the pipeline and the offline buffer read what an exporter's send() said about one payload.
// Built-in exporters fill every field (index.d.ts `SendResult`); a custom exporter may fill only
// `ok`, or get numbers wrong, so nothing is trusted that does not add up:
//   delivered + droppedRecords + (records in retryLater) + lost = payload.records
// A failure that says nothing more is kept for later (retryLater = [payload]): losing data needs
// an explicit answer (`disposition: 'drop'` or droppedRecords), keeping it does not.
export function readResult(payload, result) {
  const records = payload.records;
  if (result === null || typeof result !== 'object') {
    return { delivered: 0, droppedRecords: 0, retryLater: [payload], lost: 0, cause: 'exporter', error: 'send() returned no result for this payload' };
  }
  const error = result.ok === true ? undefined : String(result.error ?? `HTTP ${result.status ?? '?'}`);
  const cause = result.ok === true ? undefined : String(result.cause ?? 'unknown');
  const dropped = count(result.droppedRecords, records) ?? 0;
  if (result.ok === true) {
    const delivered = count(result.delivered, records - dropped) ?? records - dropped;
    return { delivered, droppedRecords: dropped, retryLater: [], lost: records - delivered - dropped, error: result.rejected?.message, cause: dropped > 0 ? 'rejected' : undefined };
  }
  const delivered = count(result.delivered, records - dropped) ?? 0;
  let retryLater;
  if (Array.isArray(result.retryLater)) {
    retryLater = result.retryLater.filter(isPayload);
    const later = retryLater.reduce((n, p) => n + p.records, 0);
    // Parts that claim more records than are left are not believed: keep the whole payload.
    if (retryLater.length !== result.retryLater.length || later > records - delivered - dropped) {
      return { delivered: 0, droppedRecords: 0, retryLater: [payload], lost: 0, cause, error };
    }
  } else if (result.disposition === 'drop' || dropped === records) {
    retryLater = [];
  } else {
    retryLater = delivered + dropped === 0 ? [payload] : [];
  }
  const later = retryLater.reduce((n, p) => n + p.records, 0);
  return { delivered, droppedRecords: dropped, retryLater, lost: records - delivered - dropped - later, cause, error };
}

function count(value, max) {
  return Number.isInteger(value) && value >= 0 && value <= max ? value : null;
}

function isPayload(p) {
  return p !== null && typeof p === 'object' && p.body instanceof Uint8Array && Number.isInteger(p.records) && p.records > 0 && typeof p.signal === 'string';
}

// Per-exporter delivery accounting (stats().exporters[i]). For one exporter and one drain of R
// records whose format's encoding could not fit D of them:
//   exported + buffered + rejected + failed + dropped = R
// exported: delivered (2xx); buffered: kept in the offline buffer for a later invocation;
// rejected: refused by the collector (4xx, OTLP partialSuccess), never retried; failed: lost
// (failedByCause splits them); dropped: the D oversize records.
export class ExporterStats {
  constructor(exporter) {
    this.name = String(exporter.name ?? 'exporter');
    this.endpoint = String(exporter.endpoint ?? exporter.name ?? 'exporter');
    this.exported = 0;
    this.buffered = 0;
    this.rejected = 0;
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

// Reads what send() returned for one drain, trusting nothing a custom exporter may get wrong: the
// record count of each payload is the pipeline's own, a missing or malformed result is a failure.
export function summarize(payloads, results) {
  const summary = { delivered: 0, rejected: 0, lost: 0, laterRecords: 0, retryLater: [], payloadsSent: 0, payloadsFailed: 0, byCause: new Map(), failures: [] };
  const list = Array.isArray(results) ? results : null;
  payloads.forEach((payload, i) => {
    const raw = list ? list[i] : undefined;
    const read = readResult(payload, raw);
    summary.delivered += read.delivered;
    summary.rejected += read.droppedRecords;
    summary.lost += read.lost;
    for (const part of read.retryLater) {
      summary.retryLater.push(part);
      summary.laterRecords += part.records;
    }
    if (raw?.ok === true) {
      summary.payloadsSent++;
      if (read.droppedRecords > 0) summary.failures.push({ cause: 'rejected', error: `collector rejected ${read.droppedRecords} record(s)${read.error ? `: ${read.error}` : ''}`, url: raw.url });
      return;
    }
    const failure = {
      cause: read.cause ?? 'exporter',
      error: list ? read.error ?? 'send() returned no result for this payload' : 'send() did not return an array of results',
      url: raw?.url,
    };
    summary.payloadsFailed++;
    const notDelivered = payload.records - read.delivered;
    summary.byCause.set(failure.cause, (summary.byCause.get(failure.cause) ?? 0) + notDelivered);
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

// lastError and the failure log line: every URL that failed and why, so that an OTLP exporter
// whose three signals all failed names all three. Failures with the same error are one group, in
// order of first appearance: "https://h/v1/traces: HTTP 503 (also https://h/v1/metrics,
// https://h/v1/logs); https://h/v1/logs: timeout". A long error (a response body prefix) is not
// repeated per URL; past MAX_GROUPS distinct errors the rest are counted.
const MAX_GROUPS = 4;

export function describeFailures(failures, fallbackUrl) {
  const groups = new Map();
  for (const f of failures) {
    const urls = groups.get(f.error) ?? [];
    const url = f.url ?? fallbackUrl;
    if (!urls.includes(url)) urls.push(url);
    groups.set(f.error, urls);
  }
  const shown = [...groups].slice(0, MAX_GROUPS).map(([error, urls]) => `${urls[0]}: ${error}${urls.length > 1 ? ` (also ${urls.slice(1).join(', ')})` : ''}`);
  const more = groups.size - shown.length;
  return `${shown.join('; ')}${more > 0 ? `; and ${more} other error(s)` : ''}`;
}
