// The Console exporter: one readable line per record, for `wrangler dev` and `wrangler tail`.
// The one-line layout alone (not formatRecordLines): the terminal layout stays out of the bundle.
import { oneLineLayout } from '../format-lines.js';

const decoder = new TextDecoder();

export function console_(options = {}) {
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
