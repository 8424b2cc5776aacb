// Settles one payload by the OTLP/HTTP rules (classify.js) into its SendResult (results.js):
// delivered (minus a partial success's rejections), kept for a later flush, dropped, or, on a 413,
// split in two halves by records (split-payload.js) that are delivered the same way, down to a
// single record, which is dropped if it is still too large. Shared by the HTTP exporter (which
// retries inside `send`) and the Direct exporter (one request per payload, no splitting).
import { classifyOutcome } from './classify.js';
import { rejectedCount } from './partial-success.js';
import { newResult, settleDelivered, settleDropped, settleRetryLater } from './results.js';
import { SplitError, splitPayload } from './split-payload.js';

// send(piece) -> { outcome (post.js), attempts }: every retry the exporter allows already made.
// split: whether a 413 is answered by sending halves (HTTP) or the payload is dropped (Direct).
export async function deliverPayload({ payload, url, format, send, split, notices }) {
  const result = newResult(payload, url);

  const settle = async (piece) => {
    const { outcome, attempts } = await send(piece);
    result.attempts += attempts;
    const { action } = classifyOutcome(outcome);
    const report = { url: result.url, status: outcome.status, error: outcome.error, records: piece.records };
    switch (action) {
      case 'delivered':
        settleDelivered(result, piece, outcome);
        if (outcome.partial) {
          const rejected = rejectedCount(outcome.partial);
          notices.add(rejected > 0 ? 'partial' : 'warning', { ...report, error: outcome.partial.message, records: rejected });
        }
        return;
      case 'drop':
        settleDropped(result, piece, outcome);
        notices.add('rejected', report);
        return;
      case 'split':
        return splitOrDrop(piece, outcome, report);
      default:
        // 'retry' here means the exporter's retries, deadline or budget ran out: keep it.
        settleRetryLater(result, piece, outcome);
        if (outcome.cause === 'auth') notices.add('auth', report);
        if (outcome.cause === 'compression') notices.add('compression', report);
    }
  };

  const splitOrDrop = async (piece, outcome, report) => {
    let why = null;
    let halves = null;
    if (!split) {
      why = `${outcome.error}; the Direct exporter sends each payload as one request and never splits it: lower maxPayloadBytes below this collector's limit`;
    } else if (piece.records < 2) {
      why = `${outcome.error}; a single record is still larger than the collector at ${result.url} takes: lower maxPayloadBytes or raise the collector's limit`;
    } else {
      try {
        halves = splitPayload(piece, format);
      } catch (error) {
        if (!(error instanceof SplitError)) throw error;
        why = `${outcome.error}; the payload could not be split: ${error.message}`;
      }
    }
    if (halves === null) {
      settleDropped(result, piece, outcome, why);
      notices.add('too-large', { ...report, error: why });
      return;
    }
    for (const half of halves) await settle(half);
  };

  await settle(payload);
  return result;
}
