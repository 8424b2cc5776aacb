// Records written while none of an instrument() Telemetry's invocations is running: a WebSocket's
// event handlers after the 101 (`server.accept()` in fetch: the socket's events run in the upgrade
// request's context long after its invocation closed), or work that escaped its invocation. No
// later request may be needed to carry them (README "What happens in each invocation": nothing
// waits for a later request, and nothing is flushed by a timer), so the first such record of a
// turn queues one flush, handed to the platform's `waitUntil` for the current request context
// (`waitUntil` from 'cloudflare:workers', Cloudflare changelog 2025-08-08: it extends whichever
// request context is running). The workerd entry provides it; elsewhere (Node) nothing is queued
// and the next invocation drains them, as before.
//
// The manual API (createTelemetry) is left alone: its caller flushes when it chooses, and a
// record outside a span is its normal state.
import { reportInternalFailure } from './internal-failures.js';

let platformWaitUntil = null;

export function providePlatformWaitUntil(waitUntil) {
  platformWaitUntil = typeof waitUntil === 'function' ? waitUntil : null;
}

export class LateRecords {
  constructor(telemetry) {
    this.telemetry = telemetry;
    this.queued = false;
  }

  // Called after each record enters the core. Cheap while an invocation runs (the common case).
  note() {
    const t = this.telemetry;
    if (this.queued || t.activeInvocations > 0 || t.openRoots > 0 || platformWaitUntil === null) return;
    this.queued = true;
    // A microtask, not a timer: every record the same event handler writes synchronously goes in
    // one flush, and an invocation starting meanwhile drains them itself.
    queueMicrotask(() => {
      this.queued = false;
      if (t.activeInvocations > 0 || t.openRoots > 0 || t.core.pending() === 0) return;
      this.flush();
    });
  }

  flush() {
    // waitUntil is taken first: without a request context it throws, and then nothing is drained
    // (the records wait for the next invocation rather than a flush that could not send them).
    let start;
    const gate = new Promise((resolve) => (start = resolve));
    try {
      platformWaitUntil(gate.then(() => this.telemetry.flush()).catch((error) => reportInternalFailure('export', error)));
    } catch {
      return;
    }
    start();
  }
}
