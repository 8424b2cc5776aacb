// What the workerd benchmarks share: finding the workerd process a Worker runs in, reading its CPU
// time from outside (/proc/<pid>/stat utime+stime, proc(5)), and the order of rotating rounds.
// Measured from outside because workerd's clock does not advance during CPU work (it moves only
// on I/O, a Workers runtime rule against timing attacks): never time code inside it.
import { readFileSync, readdirSync } from 'node:fs';
import { startWorker } from '../js/testing/index.js';

const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux

// The workerd processes this Node process started (Miniflare spawns one per Worker it starts).
export function workerdPids() {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (comm.startsWith('workerd') && ppid === process.pid) pids.push(Number(entry));
    } catch {
      // the process went away
    }
  }
  return pids;
}

// All threads of the process: utime + stime in /proc/<pid>/stat (proc(5)).
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

// Starts the Worker and finds its workerd process. workerd's own output (uncaught errors, with a
// stack per request) is kept out of the report: each side keeps a count and the first line, shown
// next to its figures. `options` adds startWorker options (kvNamespaces, durableObjects, ...).
export async function launch(bundle, bindings, options = {}) {
  const output = { lines: 0, first: null };
  const onOutput = (line) => {
    if (!line.trim()) return;
    output.lines++;
    output.first ??= line.slice(0, 200);
  };
  const before = new Set(workerdPids());
  const worker = await startWorker({ ...options, bundle, bindings, onOutput });
  const pid = workerdPids().find((p) => !before.has(p));
  if (!pid) throw new Error('could not find the workerd process of the worker');
  return { worker, pid, output };
}

// The order in which the sides run in round `round`: rotated by one every round, so no side
// always runs first and machine noise hits all sides alike.
export function rotation(names, round) {
  return names.map((_, i) => names[(i + round) % names.length]);
}

// The same process's CPU time in nanoseconds: the sum over its live threads of the first field of
// /proc/<pid>/task/<tid>/schedstat (time spent on the CPU, in ns; Documentation/scheduler/
// sched-stats.rst). /proc/<pid>/stat counts in clock ticks of 10 ms, too coarse for one cold start
// or a short round; this one is exact but misses threads that have already exited, so the benches
// that use it check it against cpuMs() (threadsCheck below).
export function cpuNs(pid) {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread exited between the listing and the read
    }
  }
  return total;
}

// How far cpuNs() falls short of the tick count cpuMs() (which includes exited threads) for one
// process, in ms. cpuMs() truncates utime and stime to whole ticks, so it normally reads up to two
// ticks (20 ms) below cpuNs(); a shortfall above that means threads that exited carried CPU time
// cpuNs() cannot see.
export function threadsShortfallMs(pid) {
  return cpuMs(pid) - cpuNs(pid) / 1e6;
}

// Sends n requests of the bench workload (bench/workers/workload.js answers `hello /item/<k>`) one
// after another, each read to its end, and checks the answer: a side that answers wrongly is not
// doing the same work, and its row says so (side.bad, side.firstBad).
export async function drive(side, n) {
  for (let i = 0; i < n; i++) {
    const pathname = `/item/${i % 10}`;
    try {
      const res = await fetch(`${side.worker.url}${pathname}`);
      const text = await res.text();
      if (res.status !== 200 || text !== `hello ${pathname}`) {
        side.bad++;
        side.firstBad ??= `status ${res.status}: ${text.slice(0, 120)}`;
      }
    } catch (error) {
      side.bad++;
      side.firstBad ??= String(error.cause ?? error);
    }
  }
}

// A knob from the environment: a positive integer, or the fallback; anything else is an error
// naming the variable.
export function positive(name, fallback) {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name}: expected a positive integer, got ${JSON.stringify(process.env[name])}`);
  return value;
}

// After the rounds: each side's threads' unseen CPU is read, its worker and collector closed, and
// its figures derived: ms (mean CPU per request over the rounds), spansPerRequest, broken (a
// request failed or the collector missed a record).
export async function finishSides(sides, rounds, perRound) {
  for (const side of Object.values(sides)) {
    side.shortfallMs = threadsShortfallMs(side.pid);
    await side.worker.dispose();
    await side.collector?.close();
    side.ms = side.perRound.reduce((a, b) => a + b, 0) / rounds;
    side.spansPerRequest = side.collector ? (side.collector.spans - side.spansFrom) / (rounds * perRound) : 0;
    side.broken = side.bad > 0 || (side.collector?.missing ?? 0) > 0;
  }
}

export const signed = (v) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(3)}`;
// ' !' after a figure from a side whose run was broken.
export const mark = (...s) => (s.some((x) => x.broken) ? ' !' : '');
// a's mean CPU per request over b's, then (smallest..largest) of the per-round differences.
export function added(a, b) {
  const diffs = a.perRound.map((v, i) => v - b.perRound[i]);
  return `${signed(a.ms - b.ms)} (${signed(Math.min(...diffs))}..${signed(Math.max(...diffs))})${mark(a, b)}`;
}
