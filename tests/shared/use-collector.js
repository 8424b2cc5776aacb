// One capture collector per test file, cleared (and un-failed) before each test. Returns a handle
// that forwards to the live collector, so tests read `collector.spans` directly; `await
// collector.ready` in a later before() hook that needs its URL.
import { after, before, beforeEach } from 'node:test';
import { startCollector } from 'edgescope/testing';

export function useCollector(options) {
  let live = null;
  const ready = startCollector(options).then((collector) => {
    live = collector;
    return collector;
  });
  before(() => ready);
  after(() => live.close());
  beforeEach(() => {
    live.clear();
    live.recover();
  });
  return new Proxy(
    {},
    {
      get(_, key) {
        if (key === 'ready') return ready;
        const value = live[key];
        return typeof value === 'function' ? value.bind(live) : value;
      },
    },
  );
}
