// When a replay finds a collector still unavailable: which failures say so, which say nothing
// about the entry (js/export-outcome.js readResult gives `cause`), and how long this isolate waits
// before probing that collector again.
// After a replay found a collector still unreachable, this isolate waits before probing it again:
// exponential from 1 s to 5 minutes, with jitter so a fleet of isolates does not probe in step.
// Meanwhile that exporter's payloads go straight to the back of the buffer, costing no subrequest.
const PROBE_BACKOFF_MIN_MS = 1000;
const PROBE_BACKOFF_MAX_MS = 5 * 60 * 1000;

// A failed try that says nothing about the entry itself does not count against maxAttempts (an
// outage is bounded by maxAgeMs and the cap; otherwise every isolate's probe would use up the
// oldest entries' attempts within minutes of an outage): the collector was unreachable, throttled
// or refused the credentials (and the probe backs off), or the try was never sent because this
// invocation's subrequests or time ran out (no backoff: the collector was not asked). Any other
// failure (a 500, a 408, a redirect, an exporter that threw) counts: an entry a collector keeps
// failing on is dropped.
const UNAVAILABLE_CAUSES = new Set(['network', 'timeout', 'auth', 'retry-after']);
const THROTTLING_STATUS = new Set([429, 502, 503, 504]);
const NOT_SENT_CAUSES = new Set(['budget', 'deadline', 'subrequest-limit']);
export function notSentThisTime(read) {
  return NOT_SENT_CAUSES.has(read.cause);
}
export function collectorUnavailable(read, result) {
  return UNAVAILABLE_CAUSES.has(read.cause) || THROTTLING_STATUS.has(result?.status);
}

// Per isolate: the exporters found unavailable at the last probe and until when to leave them be.
export class ProbeBackoff {
  constructor() {
    this.backoffMs = 0;
    this.until = 0;
    this.blocked = new Set();
  }

  waiting(now) {
    return now < this.until;
  }

  // After an automatic replay: a collector still unavailable doubles the wait before the next
  // probe (with jitter); anything else resets it.
  note(unavailable, blocked, now) {
    if (!unavailable) {
      this.backoffMs = 0;
      this.until = 0;
      this.blocked = new Set();
      return;
    }
    this.backoffMs = Math.min(PROBE_BACKOFF_MAX_MS, Math.max(PROBE_BACKOFF_MIN_MS, this.backoffMs * 2));
    this.until = now + this.backoffMs / 2 + Math.random() * (this.backoffMs / 2);
    this.blocked = new Set(blocked);
  }
}
