// telemetry.buffer: the offline buffer as a user drives it (a scheduled handler that drains the
// backlog, an admin route that shows it). null when the config says `buffer: false`.
import { createFlushContext, validateMaxSubrequests } from '../exporters/flush-context.js';
import { EdgescopeConfigError, integerIn } from '../config.js';

export class BufferControl {
  constructor(buffer, maxSubrequests) {
    this.inner = buffer;
    this.maxSubrequests = maxSubrequests;
  }

  // { entries, bytes, oldest, newest, cap }: oldest/newest are creation times (ms) or null.
  status() {
    return this.inner.status();
  }

  // Removes every entry; continues past individual failures. { removed, failures: [{ key, error }] }.
  clear() {
    return this.inner.clear();
  }

  // Attempts every entry (oldest first, up to maxEntries) once, and each failure up to maxRetries
  // more times (0 still attempts each entry once). All sends share one subrequest budget,
  // maxSubrequests (the config's by default): Workers count every fetch of an invocation.
  // Resolves to { total, succeeded, failed, failures: [{ id, error }] }.
  replay(options = {}) {
    if (options === null || typeof options !== 'object') throw new EdgescopeConfigError('buffer.replay()', 'an options object', options);
    const { maxRetries = 0, maxEntries, maxSubrequests } = options;
    integerIn('buffer.replay({ maxRetries })', maxRetries, 0, 10);
    if (maxEntries !== undefined) integerIn('buffer.replay({ maxEntries })', maxEntries, 0, 100000);
    const budget = maxSubrequests === undefined ? this.maxSubrequests : validateMaxSubrequests(maxSubrequests);
    return this.inner.replay({ maxRetries, maxEntries, context: createFlushContext({ maxSubrequests: budget }) });
  }
}
