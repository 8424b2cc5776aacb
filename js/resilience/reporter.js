// Breaker transitions and ledger alerts as telemetry, and the user's callbacks.
//
//   span event  edgescope.breaker.transition { edgescope.breaker.name, .from, .to }
//               edgescope.ledger.alert       { edgescope.ledger.name, edgescope.ledger.alert.* }
//               on the invocation's active span (the span given to use(), else the root span of
//               the instrumented invocation). When it has ended already (a Durable Object's answer
//               arrives in waitUntil after the response), a short child span of it named after
//               the event carries the event instead, so it stays in the invocation's trace.
//   gauge       edgescope.breaker.state { breaker } = STATE_CODES[state], recorded whenever this
//               isolate sees the state change (its own transitions, or another isolate's through
//               the shared state), so each isolate's series shows the state it acts on.
//   log         one warn line per ledger alert.
//
// A callback that throws is reported as an internal failure (counted, logged once): it never
// reaches the call that caused the transition.
import { reportInternalFailure } from '../internal-failures.js';

// The gauge's values: the core's numbering of breaker states (wasm/include/edgescope/resilience/
// state.hpp). Documented in the README ("State across invocations").
export const STATE_CODES = Object.freeze({ CLOSED: 0, OPEN: 1, HALF_OPEN: 2, DEGRADED: 3, RECOVERING: 4 });

export class Reporter {
  // telemetry: a Telemetry or null; span: a Span or null.
  constructor({ telemetry = null, span = null, onTransition, onAlert } = {}) {
    this.telemetry = telemetry;
    this.span = span;
    this.onTransition = onTransition;
    this.onAlert = onAlert;
  }

  event(name, attributes) {
    const span = this.span;
    if (!span || span.noop) return;
    try {
      if (!span.ended) span.addEvent(name, attributes);
      else {
        const child = span.startSpan(name, { attributes });
        child.addEvent(name, attributes);
        child.end();
      }
    } catch (error) {
      reportInternalFailure('resilience telemetry', error);
    }
  }

  transitions(breaker, list) {
    for (const t of list) {
      this.event('edgescope.breaker.transition', { 'edgescope.breaker.name': breaker, 'edgescope.breaker.from': t.from, 'edgescope.breaker.to': t.to });
      if (this.onTransition) {
        try {
          this.onTransition({ breaker, from: t.from, to: t.to, at: t.at });
        } catch (error) {
          reportInternalFailure('onTransition callback', error);
        }
      }
    }
  }

  gauge(breaker, state) {
    if (!this.telemetry || !(state in STATE_CODES)) return;
    try {
      this.telemetry.metrics.gauge('edgescope.breaker.state', STATE_CODES[state], { breaker });
    } catch (error) {
      reportInternalFailure('resilience telemetry', error);
    }
  }

  alerts(ledger, list) {
    for (const alert of list) {
      const attributes = { 'edgescope.ledger.name': ledger };
      for (const [key, value] of Object.entries(alert)) {
        if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') attributes[`edgescope.ledger.alert.${key}`] = value;
      }
      this.event('edgescope.ledger.alert', attributes);
      try {
        this.telemetry?.logger.warn('edgescope.ledger.alert', attributes);
      } catch (error) {
        reportInternalFailure('resilience telemetry', error);
      }
      if (this.onAlert) {
        try {
          this.onAlert({ ledger, ...alert });
        } catch (error) {
          reportInternalFailure('onAlert callback', error);
        }
      }
    }
  }
}
