// The offline buffer in the package's Durable Object (EdgescopeState, js/storage/state-object.js):
// one object per `name`, reached by RPC with `{ v: 1, feature: 'buffer', op, args }`. The object
// runs each op in one SQLite transaction, so the bounds hold exactly under any concurrency and a
// taken entry is leased for `leaseMs` (a concurrent take skips it; settle releases it).
//
// Arguments are checked here first (a bad call fails before any network) and again by the object.
// An entry over the object's row limit is refused here, and a large append is sent in requests
// that each fit the object's per-request bounds. A failed RPC (object unreachable, overloaded,
// reset, or refusing the request) throws BufferStoreError with the object's message.
import { STATE_PROTOCOL_VERSION } from './state-protocol.js';
import { MAX_ENTRY_VALUE_BYTES, MAX_REQUEST_ITEMS, MAX_REQUEST_VALUE_BYTES } from './buffer-table.js';
import { byKey, checkEntries, checkLeaseMs, checkLimits, checkNow, checkOptions, checkOutcomes } from './buffer-input.js';
import { BufferStoreError, describeError } from './store-errors.js';

export function durableObject(namespace, options) {
  if (typeof namespace?.idFromName !== 'function' || typeof namespace?.get !== 'function') {
    throw new TypeError(
      'edgescope buffer: stores.durableObject(namespace) needs a Durable Object namespace binding for the EdgescopeState class (export { EdgescopeState } from "edgescope" and bind it in wrangler config)',
    );
  }
  const opts = checkOptions(options, ['name', 'leaseMs'], 'stores.durableObject()');
  const name = opts.name ?? 'edgescope';
  if (typeof name !== 'string' || name === '' || name.length > 256) {
    throw new TypeError(`edgescope buffer: stores.durableObject(): options.name must be a non-empty string of at most 256 characters (got ${JSON.stringify(name)})`);
  }
  const leaseMs = checkLeaseMs(opts.leaseMs, 'stores.durableObject()');

  async function call(op, args) {
    let stub;
    try {
      stub = namespace.get(namespace.idFromName(name));
    } catch (error) {
      throw new BufferStoreError('durable-object', op, describeError(error), { cause: error });
    }
    try {
      return await stub.request({ v: STATE_PROTOCOL_VERSION, feature: 'buffer', op, args });
    } catch (error) {
      throw new BufferStoreError('durable-object', op, describeError(error), { cause: error });
    }
  }

  return {
    kind: 'durable-object',
    leaseMs,

    async append(entries, limits) {
      const checked = checkEntries(entries, 'durable-object append').sort(byKey); // oldest first across requests
      const lim = checkLimits(limits, 'durable-object append');
      const result = { stored: [], evicted: [], refused: [], corrupt: [], failures: [] };
      let size;
      let batch = [];
      let batchBytes = 0;
      const send = async () => {
        if (batch.length === 0) return;
        const part = await call('append', { entries: batch, limits: lim });
        for (const field of Object.keys(result)) result[field].push(...part[field]);
        size = part.size; // the object's size after the last request
        batch = [];
        batchBytes = 0;
      };
      for (const entry of checked) {
        if (entry.value.byteLength > MAX_ENTRY_VALUE_BYTES) {
          result.refused.push(entry.key); // over a Durable Object SQLite row (2 MB)
          continue;
        }
        if (batch.length === MAX_REQUEST_ITEMS || batchBytes + entry.value.byteLength > MAX_REQUEST_VALUE_BYTES) await send();
        batch.push(entry);
        batchBytes += entry.value.byteLength;
      }
      await send();
      return size ? { ...result, size } : result;
    },

    async take(limits, now) {
      const lim = checkLimits(limits, 'durable-object take');
      return call('take', { limits: lim, now: checkNow(now, 'durable-object take'), leaseMs });
    },

    async settle(outcomes, limits, now) {
      const checked = checkOutcomes(outcomes, 'durable-object settle');
      const lim = checkLimits(limits, 'durable-object settle');
      checkNow(now, 'durable-object settle');
      const result = { deleted: [], kept: [], dropped: [], vanished: 0, failures: [] };
      for (let i = 0; i < checked.length; i += MAX_REQUEST_ITEMS) {
        const part = await call('settle', { outcomes: checked.slice(i, i + MAX_REQUEST_ITEMS), limits: lim, now });
        result.deleted.push(...part.deleted);
        result.kept.push(...part.kept);
        result.dropped.push(...part.dropped);
        result.failures.push(...part.failures);
        result.vanished += part.vanished;
      }
      return result;
    },

    async status(limits) {
      return call('status', { limits: checkLimits(limits, 'durable-object status') });
    },

    async clear() {
      return call('clear', {});
    },
  };
}
