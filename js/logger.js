// Structured logs, correlated with a span (trace id and span id on every record).
import { LogLevel } from './core/core-telemetry.js';

export class Logger {
  constructor(telemetry, context = {}, span = null) {
    this.telemetry = telemetry;
    this.context = context;
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
    const handle = this.span && !this.span.ended ? this.span.handle : 0;
    this.telemetry.core.log(level, typeof text === 'string' ? text : String(text), handle, Date.now(), {
      ...this.context,
      ...attrs,
    });
  }
}
