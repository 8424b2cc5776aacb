// edgescope/testing/vitest: assert on a Worker's telemetry from inside a Vitest test that runs in
// workerd (@cloudflare/vitest-pool-workers). Two halves, because the test code runs in workerd and
// the capture collector is a Node HTTP server:
//
//   provideCollector(project)   Node, in a Vitest globalSetup file: starts the capture collector
//                               (collector.js: decodes and validates every payload, strict OTLP
//                               included) and a small control server next to it, and provides
//                               their URLs to the project as `edgescopeCollector` (Vitest's
//                               provide/inject; the pool's options function reads it to set the
//                               Worker's collector binding).
//   collector                   workerd, in the tests: reads what arrived (snapshot, waitFor) and
//                               scripts failures, over fetch() to the control server.
//
// Every wait is timed by the control server in Node: nothing is timed inside workerd, whose clock
// stands still while code runs and moves only on I/O (Workers docs, "Security model": timers).
// Records cross the wire as JSON with tagged values, so a test sees the same shapes as
// startCollector() gives under node --test (a bigint stays a bigint, bytes stay a Uint8Array).

export const PROVIDED_KEY = 'edgescopeCollector';
const TAG = '$edgescope';
const MAX_TIMEOUT_MS = 10 * 60 * 1000;
// Scripted collector behaviour a test may ask for, by name (collector.js documents each).
const CALLS = new Set(['clear', 'failNext', 'failAlways', 'acceptThenDrop', 'partialSuccess', 'recover']);

// ---------------------------------------------------------------- Node side (globalSetup)

// Starts the collector and its control server; `project` is the TestProject Vitest passes to a
// globalSetup function. Returns the teardown function Vitest calls after the run.
export async function provideCollector(project, options = {}) {
  if (typeof project?.provide !== 'function') {
    throw new TypeError('provideCollector(project): expected the TestProject that Vitest passes to a globalSetup function (export default (project) => provideCollector(project))');
  }
  if (options === null || typeof options !== 'object') throw new TypeError('provideCollector(project, options): options must be an object (startCollector options)');
  const [{ startCollector }, { createServer }] = await Promise.all([import('./collector.js'), import('node:http')]);
  const collector = await startCollector(options);
  let control;
  try {
    control = await startControlServer(createServer, collector, options.host ?? '127.0.0.1');
  } catch (error) {
    await collector.close();
    throw error;
  }
  project.provide(PROVIDED_KEY, { url: collector.url, nativeUrl: collector.nativeUrl, otlpUrl: collector.otlpUrl, controlUrl: control.url });
  return async () => {
    await control.close();
    await collector.close();
  };
}

// POST /snapshot { after, deadline | timeoutMs }: answers at once with what arrived, or, when
// `after` is the version the client last saw, as soon as something changes or the deadline passes.
// POST /call { method, args }: one of CALLS on the collector.
async function startControlServer(createServer, collector, host) {
  let epoch = 0; // bumped by clear(), so a version seen before a clear is never seen again
  const version = () => {
    const duplicates = collector.duplicates.reduce((sum, d) => sum + d.count, 0);
    return `${epoch}:${collector.requests}:${collector.payloads.length}:${collector.rejected.length}:${duplicates}`;
  };
  const answer = (res, status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(encodeRecords(body));
  };
  const snapshot = (timedOut, deadline) => ({
    version: version(),
    deadline,
    timedOut,
    summary: collector.summary(),
    spans: collector.spans,
    metrics: collector.metrics,
    logs: collector.logs,
    payloads: collector.payloads,
    rejected: collector.rejected,
    requests: collector.requests,
    batchIds: collector.batchIds,
    duplicates: collector.duplicates,
  });

  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', async () => {
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch (error) {
        return answer(res, 400, { error: `body is not JSON: ${error.message}` });
      }
      const path = new URL(req.url, 'http://control').pathname;
      if (req.method !== 'POST') return answer(res, 405, { error: `method ${req.method} not allowed; POST` });
      if (path === '/snapshot') {
        const { after = null, deadline = null, timeoutMs = null } = body;
        if (timeoutMs !== null && !validTimeout(timeoutMs)) {
          return answer(res, 400, { error: `timeoutMs: expected a number of ms in (0, ${MAX_TIMEOUT_MS}], got ${String(timeoutMs)}` });
        }
        if (deadline !== null && !Number.isFinite(deadline)) return answer(res, 400, { error: `deadline: expected the number this server answered, got ${String(deadline)}` });
        if (after !== null && deadline === null) return answer(res, 400, { error: 'after: needs the deadline this server answered' });
        // The deadline is this process's clock, handed to the client and back: never workerd's.
        const until = deadline ?? (timeoutMs === null ? null : Date.now() + timeoutMs);
        if (after === null || after !== version()) return answer(res, 200, snapshot(false, until));
        const remaining = until - Date.now();
        if (!(remaining > 0)) return answer(res, 200, snapshot(true, until));
        try {
          await collector.waitFor(() => version() !== after, { timeoutMs: remaining });
          return answer(res, 200, snapshot(false, until));
        } catch {
          return answer(res, 200, snapshot(true, until));
        }
      }
      if (path === '/call') {
        const { method, args = [] } = body;
        if (!CALLS.has(method) || !Array.isArray(args)) return answer(res, 400, { error: `unknown call ${String(method)}; one of ${[...CALLS].join(', ')}` });
        try {
          collector[method](...args);
        } catch (error) {
          return answer(res, 400, { error: error.message, name: error.name });
        }
        if (method === 'clear') epoch++;
        return answer(res, 200, { ok: true });
      }
      return answer(res, 404, { error: `unknown path ${path}; use /snapshot or /call` });
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  return {
    url: `http://${host}:${server.address().port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------- workerd side (the tests)

// What the collector received, as a test reads it: the records decoded into the shapes of
// edgescope/testing (CapturedSpan, CapturedMetric, CapturedLog) and the payload bookkeeping.
export const collector = Object.freeze({
  /** The URLs provided by provideCollector (url, nativeUrl, otlpUrl, controlUrl). */
  async urls() {
    return provided();
  },
  /** Everything received so far, at once. */
  async snapshot() {
    return withoutWaitFields(await post('/snapshot', {}));
  },
  /**
   * Resolves with a snapshot once `predicate(snapshot)` is true (a predicate that throws counts as
   * not yet); rejects after `timeoutMs` (timed by the collector's process) saying what had
   * arrived, which payloads were refused and why, and the predicate's last error. The default,
   * 4000 ms, is below Vitest's default testTimeout (5 s), so that message is the one a test shows.
   */
  async waitFor(predicate, { timeoutMs = 4000 } = {}) {
    if (typeof predicate !== 'function') throw new TypeError('collector.waitFor(predicate): predicate must be a function of the snapshot');
    if (!validTimeout(timeoutMs)) {
      throw new TypeError(`collector.waitFor(predicate, { timeoutMs }): expected a number of ms in (0, ${MAX_TIMEOUT_MS}], got ${String(timeoutMs)}`);
    }
    // Taken before the first await: the timeout error then points at the test's own line.
    const origin = {};
    Error.captureStackTrace?.(origin, collector.waitFor);
    let state = await post('/snapshot', { timeoutMs });
    let lastError = null;
    for (;;) {
      const snapshot = withoutWaitFields(state);
      try {
        if (predicate(snapshot)) return snapshot;
        lastError = null;
      } catch (error) {
        lastError = error;
      }
      if (state.timedOut) throw withStack(new Error(timeoutMessage(timeoutMs, snapshot, lastError)), origin);
      state = await post('/snapshot', { after: state.version, deadline: state.deadline });
    }
  },
  /** Forget everything received (and which batch ids were seen). */
  clear: () => call('clear'),
  /** Answer the next `times` requests with `status` instead of accepting them. */
  failNext: (status, options) => call('failNext', status, options),
  failAlways: (status, options) => call('failAlways', status, options),
  /** Record the next `times` batches, then cut each connection without answering. */
  acceptThenDrop: (options) => call('acceptThenDrop', options),
  /** Accept the next `times` batches but their last `rejected` records (OTLP partialSuccess). */
  partialSuccess: (options) => call('partialSuccess', options),
  /** Stop any scripted behaviour. */
  recover: () => call('recover'),
});

async function provided() {
  const { inject } = await import('vitest');
  const urls = inject(PROVIDED_KEY);
  if (!urls?.controlUrl) {
    throw new Error(
      `edgescope/testing/vitest: no collector was provided to this project (inject('${PROVIDED_KEY}') is ${String(urls)}). ` +
        "Add a globalSetup file to the Vitest config with: export default (project) => provideCollector(project);",
    );
  }
  return urls;
}

async function post(path, body) {
  const { controlUrl } = await provided();
  let response;
  try {
    response = await fetch(`${controlUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  } catch (error) {
    throw new Error(`edgescope/testing/vitest: the collector's control server at ${controlUrl} cannot be reached (${error.message}); did the globalSetup end early?`);
  }
  const doc = decodeRecords(await response.text());
  if (!response.ok) {
    const error = new (doc?.name === 'TypeError' ? TypeError : Error)(`edgescope/testing/vitest: ${doc?.error ?? `HTTP ${response.status}`}`);
    throw error;
  }
  return doc;
}

async function call(method, ...args) {
  // JSON drops undefined: trailing absent options stay absent, so the collector's defaults apply.
  while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
  await post('/call', { method, args });
}

function validTimeout(ms) {
  return typeof ms === 'number' && Number.isFinite(ms) && ms > 0 && ms <= MAX_TIMEOUT_MS;
}

function withoutWaitFields({ version, deadline, timedOut, ...snapshot }) {
  return snapshot;
}

function withStack(error, origin) {
  if (typeof origin.stack === 'string') error.stack = `${error.name}: ${error.message}\n${origin.stack.split('\n').slice(1).join('\n')}`;
  return error;
}

function timeoutMessage(timeoutMs, snapshot, lastError) {
  let message = `collector.waitFor timed out after ${timeoutMs} ms; have ${snapshot.summary}`;
  if (snapshot.rejected.length > 0) {
    message += `; refused: ${snapshot.rejected.slice(0, 3).map((r) => `${r.path} ${r.status} ${r.reason}`).join(' | ')}`;
  }
  if (lastError) message += `; the predicate last threw: ${lastError.message}`;
  return message;
}

// ---------------------------------------------------------------- the wire

// JSON with tagged values for what JSON cannot carry: bigint (an OTLP intValue beyond 2^53),
// Uint8Array (bytesValue), non-finite numbers; an object that has the tag key itself is escaped.
export function encodeRecords(value) {
  return JSON.stringify(value, (key, v) => {
    if (typeof v === 'bigint') return { [TAG]: 'bigint', value: v.toString() };
    if (typeof v === 'number' && !Number.isFinite(v)) return { [TAG]: 'number', value: String(v) };
    if (v instanceof Uint8Array) return { [TAG]: 'bytes', value: toBase64(v) };
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.hasOwn(v, TAG)) {
      return { [TAG]: 'object', value: Object.entries(v) };
    }
    return v;
  });
}

export function decodeRecords(text) {
  return JSON.parse(text, (key, v) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.hasOwn(v, TAG)) return v;
    switch (v[TAG]) {
      case 'bigint':
        return BigInt(v.value);
      case 'number':
        return Number(v.value);
      case 'bytes':
        return fromBase64(v.value);
      case 'object':
        return Object.fromEntries(v.value);
      default:
        throw new Error(`edgescope/testing/vitest: unknown tagged value ${String(v[TAG])}`);
    }
  });
}

function toBase64(bytes) {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
