// A TraceItem's uncaught exceptions ({ timestamp, name, message, stack? }): each an `exception`
// event on the root span at its own time, classified and fingerprinted by the monitoring rules
// (js/monitoring/error-records.js) as a thrown error recorded by instrument() is, so the tail and
// in-isolate modes group the same error under the same fingerprint.
import { applyBeforeSend } from '../before-send.js';
import { classifyError, errorAttributes } from '../monitoring/error-records.js';
import { reportInternalFailure } from '../internal-failures.js';

// An Error with the platform's name, message and stack (the classifier and the core read them as
// they read a thrown one).
// `scope` (optional): one TraceItem's scope; the same name, message and stack within it give the
// same Error object, so `console.error(e); throw e` — the platform reports it as a log's errorInfo
// and as an exception — is one error record (classification de-duplicates by the thrown object).
export function errorFrom({ name, message, stack }, scope = null) {
  const key = scope ? `${name}\u0000${message}\u0000${stack}` : null;
  if (key !== null) {
    scope.errorObjects ??= new Map();
    const seen = scope.errorObjects.get(key);
    if (seen) return seen;
  }
  const error = new Error(typeof message === 'string' ? message : String(message ?? ''));
  Object.defineProperty(error, 'name', { value: typeof name === 'string' && name !== '' ? name : 'Error', enumerable: false, configurable: true, writable: true });
  Object.defineProperty(error, 'stack', { value: typeof stack === 'string' ? stack : '', enumerable: false, configurable: true, writable: true });
  if (key !== null) scope.errorObjects.set(key, error);
  return error;
}

// Returns the first exception's Error (the span's status message and error.type), or null.
export function recordExceptions(telemetry, scope, root, exceptions, fallbackTime) {
  if (!Array.isArray(exceptions)) return null;
  let first = null;
  for (const exception of exceptions) {
    if (!exception || typeof exception !== 'object') continue;
    const error = errorFrom(exception, scope);
    first ??= error;
    let classified = null;
    try {
      const record = classifyError(telemetry, scope, { source: 'exception', error, span: root });
      if (record) classified = errorAttributes(record);
    } catch (failure) {
      reportInternalFailure('error classification', failure);
    }
    if (classified && !root.classified) {
      root.classified = true;
      root.setAttributes(classified);
    }
    if (root.recording) {
      const time = telemetry.checkTime(Number.isFinite(exception.timestamp) && exception.timestamp > 0 ? exception.timestamp : fallbackTime, 'exception.timestamp');
      const event = applyBeforeSend(telemetry, { type: 'event', name: 'exception', attributes: classified ? { error, ...classified } : { error } });
      if (event) telemetry.core.addEvent(root.handle, String(event.name || 'exception'), time, event.attributes);
    }
  }
  return first;
}
