// One capture collector per test file, cleared (and un-failed) before each test. Returns a handle
// that forwards to the live collector, so tests read `collector.spans` directly.
import { after, before, beforeEach } from 'node:test';
import { startCollector } from 'edgescope/testing';

export function useCollector(options) {
  let live = null;
  before(async () => {
    live = await startCollector(options);
  });
  after(() => live.close());
  beforeEach(() => {
    live.clear();
    live.recover();
  });
  return new Proxy(
    {},
    {
      get(_, key) {
        const value = live[key];
        return typeof value === 'function' ? value.bind(live) : value;
      },
    },
  );
}
