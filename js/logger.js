// Structured logs, correlated with a span (trace id and span id on every record).
import { applyBeforeSend } from './before-send.js';
import { LogLevel } from './core/core-telemetry.js';
import { isError } from './core/attribute-values.js';
import { reportInternalFailure } from './internal-failures.js';
import { classifyError, errorAttributes } from './monitoring/error-records.js';

const LEVEL_NAMES = Object.fromEntries(Object.entries(LogLevel).map(([name, value]) => [value, name]));

export class Logger {
  constructor(telemetry, context = {}, span = null) {
    this.telemetry = telemetry;
    this.context = context;
    this.hasContext = Object.keys(context).length > 0;
    this.span = span;
  }

  debug(message, attributes) {
    this.write(LogLevel.debug, message, attributes);
  }
  info(message, attributes) {
    this.write(LogLevel.info, message, attributes);
  }
  warn(message, attributes) {
    this.write(LogLevel.warn, message, attributes);
  }
  error(message, attributes) {
    this.write(LogLevel.error, message, attributes);
  }
  fatal(message, attributes) {
    this.write(LogLevel.fatal, message, attributes);
  }

  // A logger whose records all carry `context` (merged over this logger's own).
  child(context) {
    return new Logger(this.telemetry, { ...this.context, ...context }, this.span);
  }

  classify(level, text, attrs) {
    try {
      const attached = attrs && typeof attrs === 'object' ? [attrs.error, attrs.exception].find(isError) : undefined;
      if (level !== LogLevel.fatal && !attached) return attrs;
      const span = this.span && !this.span.noop ? this.span : null;
      const record = classifyError(this.telemetry, span?.scope ?? null, {
        source: 'log',
        error: attached,
        message: attached ? undefined : String(text),
        span,
        level: LEVEL_NAMES[level],
      });
      return record ? { ...attrs, ...errorAttributes(record) } : attrs;
    } catch (failure) {
      reportInternalFailure('error classification', failure);
      return attrs;
    }
  }

  forSpan(span) {
    return new Logger(this.telemetry, this.context, span);
  }

  write(level, message, attributes) {
    let text = message;
    let attrs = attributes;
    if (message instanceof Error) {
      text = message.message;
      attrs = { error: message, ...attributes };
    }
    // A logger without context stages the caller's attributes as they are (each read once, as a
    // copy would read them); one with context merges them over it.
    attrs = this.hasContext ? { ...this.context, ...attrs } : attrs;
    // Classified (js/monitoring/error-records.js): every `fatal` record, and `error` records with an
    // Error attached (as the message, or as the `error` or `exception` attribute). A plain error
    // line is a message, not an error occurrence: it gets no fingerprint.
    if (level >= LogLevel.error) attrs = this.classify(level, text, attrs);
    if (this.telemetry.config.beforeSend) {
      const record = applyBeforeSend(this.telemetry, { type: 'log', level: LEVEL_NAMES[level], message: text, attributes: { ...attrs } });
      if (!record) return;
      text = record.message;
      attrs = record.attributes;
    }
    const span = this.span;
    if (span?.scope) span.scope.logCount++; // the invocation's counts (scope.counts)
    if (span && span.ended && span.endedContext) {
      // Written after its span ended (ctx.waitUntil work): still correlated with that span.
      this.telemetry.core.logInContext(level, text, span.endedContext.traceparent, Date.now(), attrs);
    } else {
      this.telemetry.core.log(level, text, span && !span.ended ? span.handle : 0, Date.now(), attrs);
    }
    this.telemetry.late?.note();
  }
}
