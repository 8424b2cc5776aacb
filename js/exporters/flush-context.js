// What every exporter of one flush shares: the subrequest budget and the simultaneous-connection
// limit. Both are per-invocation limits in Workers ("Subrequests": 50 per request on Workers Free,
// 10,000 on Workers Paid; "Simultaneous open connections": 6; developers.cloudflare.com/workers/
// platform/limits), and a flush runs inside one invocation's ctx.waitUntil, so one flush gets one
// budget and one set of connection slots however many exporters it feeds.
import { integerIn } from '../config.js';

export const DEFAULT_MAX_SUBREQUESTS = 10; // leaves 40 of the Free plan's 50 for the handler itself
export const MAX_SUBREQUESTS_LIMIT = 10000; // the Workers Paid per-invocation limit
export const MAX_OPEN_CONNECTIONS = 6;

export function validateMaxSubrequests(value) {
  if (value === undefined) return DEFAULT_MAX_SUBREQUESTS;
  return integerIn('maxSubrequests', value, 1, MAX_SUBREQUESTS_LIMIT, 'fetches one flush may make; Workers allows 50 per invocation on Free');
}

export function createFlushContext({ maxSubrequests = DEFAULT_MAX_SUBREQUESTS } = {}) {
  return { budget: new SubrequestBudget(maxSubrequests), connections: new ConnectionSlots(MAX_OPEN_CONNECTIONS) };
}

// Every fetch attempt (a retry too) is one subrequest. Once the runtime itself says the
// invocation's limit is reached ("Too many subrequests"), nothing else in the flush is tried.
export class SubrequestBudget {
  constructor(limit) {
    this.limit = limit;
    this.used = 0;
    this.exhaustedBy = null;
  }

  take() {
    if (this.exhaustedBy !== null || this.used >= this.limit) return false;
    this.used++;
    return true;
  }

  // The runtime refused a subrequest: whatever is left of our own budget is unusable.
  exhaust(reason) {
    this.exhaustedBy ??= reason;
  }

  describe() {
    return this.exhaustedBy ?? `subrequest budget of ${this.limit} per flush used up (maxSubrequests)`;
  }
}

// A counting semaphore. Workers queues fetches beyond the sixth open connection rather than
// failing them; queueing here instead means an attempt's timeout starts when its request can
// actually start.
export class ConnectionSlots {
  constructor(size) {
    this.free = size;
    this.waiting = [];
  }

  // -> whether a slot was free and is now taken. Nobody waits while a slot is free (release hands
  // a slot straight to the next in line), so this never jumps the queue.
  tryAcquire() {
    if (this.free === 0) return false;
    this.free--;
    return true;
  }

  acquire() {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release() {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}
