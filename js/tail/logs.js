// A TraceItem's console logs as OTLP log records, each at its own time (TraceLog.timestamp, ms),
// severity from its console level, correlated with the invocation's root span. Logs that
// ctx.waitUntil work wrote after the response keep their own, later, time. The message is the
// console call's arguments as the console prints them: strings as they are, anything else as JSON.
import { applyBeforeSend } from '../before-send.js';
import { LogLevel } from '../core/core-telemetry.js';
import { classifyError, errorAttributes } from '../monitoring/error-records.js';
import { reportInternalFailure } from '../internal-failures.js';
import { errorFrom } from './exceptions.js';

// console methods (workerd's TraceLog.level) to the OTLP severities the core knows.
const LEVELS = { debug: LogLevel.debug, trace: LogLevel.debug, log: LogLevel.info, info: LogLevel.info, warn: LogLevel.warn, error: LogLevel.error };
const LEVEL_NAMES = Object.fromEntries(Object.entries(LogLevel).map(([name, value]) => [value, name]));

export function recordLogs(telemetry, scope, root, logs, fallbackTime) {
  if (!Array.isArray(logs)) return 0;
  let written = 0;
  for (const log of logs) {
    if (!log || typeof log !== 'object') continue;
    const level = LEVELS[log.level] ?? LogLevel.info;
    let text = messageText(log.message);
    let attributes = { 'edgescope.tail.console_level': String(log.level ?? '') };
    // console.error(err): the platform passes the Error as errorInfo; classified as instrument()'s
    // logger classifies an error record with an Error attached.
    const info = Array.isArray(log.errorInfo) ? log.errorInfo.find((e) => e && typeof e === 'object') : undefined;
    if (level >= LogLevel.error && info) {
      try {
        const error = errorFrom(info, scope);
        const record = classifyError(telemetry, scope, { source: 'log', error, span: root, level: LEVEL_NAMES[level] });
        attributes = { ...attributes, error, ...(record ? errorAttributes(record) : {}) };
      } catch (failure) {
        reportInternalFailure('error classification', failure);
      }
    }
    if (telemetry.config.beforeSend) {
      const record = applyBeforeSend(telemetry, { type: 'log', level: LEVEL_NAMES[level], message: text, attributes: { ...attributes } });
      if (!record) continue;
      text = record.message;
      attributes = record.attributes;
    }
    const time = telemetry.checkTime(Number.isFinite(log.timestamp) && log.timestamp > 0 ? log.timestamp : fallbackTime, 'log.timestamp');
    telemetry.core.log(level, text, root.noop ? 0 : root.handle, time, attributes);
    written++;
  }
  return written;
}

function messageText(message) {
  const parts = Array.isArray(message) ? message : [message];
  return parts.map(part).join(' ');
}

function part(value) {
  if (typeof value === 'string') return value;
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
