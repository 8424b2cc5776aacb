// The user's last word on what leaves the isolate: config `beforeSend(record)` sees each record as
// it enters edgescope and returns it (edited or not) or null to drop it. The core then applies the
// redaction policy to whatever is left (ARCHITECTURE.md, "Secrets and personal data").
//   { type: 'span', name, attributes }         a span starting (null: the span is not recorded)
//   { type: 'attributes', attributes }         attributes set on a span later
//   { type: 'event', name, attributes }        a span event (exceptions included)
//   { type: 'log', level, message, attributes } a log record
// A hook that throws drops the record (the safe side for personal data); that is counted and
// logged once.
export function applyBeforeSend(telemetry, record) {
  const hook = telemetry.config.beforeSend;
  if (!hook) return record;
  let result;
  try {
    result = hook(record);
  } catch (error) {
    telemetry.repairs.droppedByBeforeSend++;
    telemetry.reportOnce('before-send-threw', `beforeSend threw (${error?.message ?? error}); the record was dropped`);
    return null;
  }
  if (result === null || result === undefined || result === false) {
    telemetry.repairs.droppedByBeforeSend++;
    return null;
  }
  if (typeof result !== 'object' || (result.attributes !== undefined && (result.attributes === null || typeof result.attributes !== 'object'))) {
    telemetry.repairs.droppedByBeforeSend++;
    telemetry.reportOnce('before-send-shape', 'beforeSend must return the record (an object with `attributes`) or null; the record was dropped');
    return null;
  }
  return result;
}
