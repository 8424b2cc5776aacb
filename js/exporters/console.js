// The Console exporter: one readable line per record, for `wrangler dev` and `wrangler tail`.
// The one-line layout alone (not formatRecordLines): the terminal layout stays out of the bundle.
import { checkKnownKeys, checkObject, EdgescopeConfigError } from '../config.js';
import { oneLineLayout } from '../format-lines.js';

const decoder = new TextDecoder();

export function console_(options = {}) {
  // Its one option is checked as the others' are: a misspelt key or a write that is not a function
  // is refused now, not ignored (lines would go to console.log) or met at the first flush.
  checkObject('exporters.console()', options, 'an options object like { write }');
  checkKnownKeys(options, ['write'], 'exporters.console', 'write (the only console option)');
  if (options.write !== undefined && typeof options.write !== 'function') {
    throw new EdgescopeConfigError('exporters.console({ write })', 'a function (line) => void', options.write);
  }
  const write = options.write ?? ((line) => console.log(line));
  return {
    name: 'console',
    format: 'native',
    endpoint: 'console',
    async send(payloads) {
      return payloads.map((payload) => {
        for (const line of oneLineLayout(JSON.parse(decoder.decode(payload.body)))) write(line);
        const { records, batchId } = payload;
        return { ok: true, status: 0, records, url: 'console', attempts: 0, batchId, delivered: records, retryLater: [], droppedRecords: 0 };
      });
    },
  };
}
