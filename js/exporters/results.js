// The SendResult an exporter returns for one payload (index.d.ts `SendResult`), built up as the
// payload (or, after a 413, its halves) is settled. The URL is masked for logs (query values and
// userinfo never leave here). For every result:
//   delivered + droppedRecords + (records in retryLater) = records
// delivered: records the collector accepted; droppedRecords: records refused for good (a 4xx, a
// record too large even alone, or rejected in an OTLP partial success, which `rejected` details);
// retryLater: payloads (the original, or halves of it) to send again in a later flush.
// ok, status, cause and error describe the first failure (ok: nothing failed); a partial success
// is not a failure (the spec calls it a success, and MUST NOT be retried).
import { maskUrl } from './endpoint-url.js';
import { rejectedCount } from './partial-success.js';

// The exporters send one URL per signal, so the last URL masked is almost always the next one:
// remembered instead of parsed again per payload (maskUrl is a pure function of the URL).
let lastUrl = null;
let lastMasked = null;

function masked(url) {
  if (url !== lastUrl) lastMasked = maskUrl((lastUrl = url));
  return lastMasked;
}

export function newResult(payload, url) {
  return {
    ok: true,
    status: 0,
    records: payload.records,
    url: masked(url),
    attempts: 0,
    batchId: payload.batchId,
    delivered: 0,
    retryLater: [],
    droppedRecords: 0,
  };
}

// piece: the payload or one of its halves, accepted with a 2xx.
export function settleDelivered(result, piece, outcome) {
  const rejected = Math.min(piece.records, rejectedCount(outcome.partial));
  result.delivered += piece.records - rejected;
  result.droppedRecords += rejected;
  if (result.ok) result.status = outcome.status;
  if (outcome.partial) {
    const sum = result.rejected ?? { spans: 0, dataPoints: 0, logRecords: 0, message: '' };
    sum.spans += outcome.partial.spans;
    sum.dataPoints += outcome.partial.dataPoints;
    sum.logRecords += outcome.partial.logRecords;
    if (sum.message === '') sum.message = outcome.partial.message;
    result.rejected = sum;
  }
}

export function settleRetryLater(result, piece, outcome) {
  result.retryLater.push(piece);
  fail(result, outcome);
}

export function settleDropped(result, piece, outcome, error = outcome.error) {
  result.droppedRecords += piece.records;
  fail(result, { ...outcome, error });
}

// The first failure names the result.
function fail(result, outcome) {
  if (!result.ok) return;
  result.ok = false;
  result.status = outcome.status;
  result.cause = outcome.cause;
  result.error = outcome.error;
}
