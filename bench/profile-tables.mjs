// Tables from a V8 .cpuprofile (Chrome DevTools protocol, Profiler domain) for the profiling
// benches (bench/workerd-profile.mjs, bench/cold-profile.mjs): shares of the isolate's busy
// (non-idle) samples by function, inclusive (once per stack) or self.

// Each function's inclusive share of the isolate's busy (non-idle) samples, once per stack.
export function printInclusive(profile, rows) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const inclusive = new Map();
  let busy = 0;
  for (const [id, time] of self) {
    if (byId.get(id).callFrame.functionName === '(idle)') continue;
    busy += time;
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at).callFrame;
      const key = `${frame.functionName || '(anonymous)'}${frame.lineNumber >= 0 ? `:${frame.lineNumber + 1}` : ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + time);
    }
  }
  console.log(`busy ${(busy / 1000).toFixed(0)} ms; inclusive share of it (lines are the bundle's):`);
  for (const [key, time] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, rows)) console.log(`${((100 * time) / busy).toFixed(1).padStart(6)}%  ${key}`);
}

const frameKey = (frame) => `${frame.functionName || '(anonymous)'}${frame.lineNumber >= 0 ? `:${frame.lineNumber + 1}` : ''}`;

// Each function's self share: where the samples landed, not counting what it called.
export function printSelf(profile, rows) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id).callFrame;
    if (frame.functionName === '(idle)') return;
    const time = profile.timeDeltas[i] ?? 0;
    busy += time;
    self.set(frameKey(frame), (self.get(frameKey(frame)) ?? 0) + time);
  });
  console.log(`busy ${(busy / 1000).toFixed(1)} ms; self share of it:`);
  for (const [key, time] of [...self].sort((a, b) => b[1] - a[1]).slice(0, rows)) console.log(`${((100 * time) / busy).toFixed(1).padStart(6)}%  ${(time / 1000).toFixed(2).padStart(7)} ms  ${key}`);
}
