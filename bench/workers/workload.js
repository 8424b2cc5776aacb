// What every instrumented bench Worker records per request, so their sides measure the same work:
// 5 child spans with 2 attributes each, 3 metric updates, 1 log line (the root span is instrument()'s).
export function recordWork(t, url) {
  for (let i = 0; i < 5; i++) {
    t.trace('step', (span) => {
      span.setAttribute('step.index', i);
      span.setAttribute('step.kind', 'compute');
    });
  }
  t.metrics.increment('bench.requests', 1, { path: url.pathname });
  t.metrics.gauge('bench.inflight', 1);
  t.metrics.histogram('bench.size', 42, undefined, { unit: 'By' });
  t.log.info('handled', { path: url.pathname });
}
