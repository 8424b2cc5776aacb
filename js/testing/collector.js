// A capture collector on loopback: accepts the native ingest JSON (POST /ingest) and OTLP/HTTP
// JSON (POST /v1/traces, /v1/metrics, /v1/logs), decodes and validates every payload, and keeps
// what arrived so a test can assert on it. Malformed input gets a 4xx with a message naming the
// problem and is kept in `rejected`, never half-recorded. OTLP bodies are checked in full against
// the opentelemetry-proto definitions (otlp-json.js): a 400 names the JSON path of the first
// offending value, e.g. `$.resourceMetrics[0].scopeMetrics[0].metrics[2].sum.dataPoints[1].asDouble`.
import { createServer } from 'node:http';
import { DecodeError, decodeNative, decodeOtlp } from './decode.js';

const OTLP_PATHS = { '/v1/traces': 'traces', '/v1/metrics': 'metrics', '/v1/logs': 'logs' };

export async function startCollector(options = {}) {
  const { port = 0, host = '127.0.0.1', maxBodyBytes = 16 * 1024 * 1024, onRecords } = options;
  const emptyState = () => ({ spans: [], metrics: [], logs: [], payloads: [], rejected: [], requests: 0 });
  const state = emptyState();
  const waiters = new Set();
  let scripted = []; // [{ status, body, times }]

  const notify = () => {
    for (const waiter of waiters) waiter.check();
  };

  const server = createServer((req, res) => {
    state.requests++;
    const chunks = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > maxBodyBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      const reply = (status, message) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(status < 300 ? { accepted: true } : { error: message }));
      };
      const reject = (status, reason) => {
        state.rejected.push({ path: req.url, status, reason });
        reply(status, reason);
        notify();
      };
      if (scripted.length > 0) {
        const step = scripted[0];
        if (--step.times <= 0) scripted.shift();
        state.rejected.push({ path: req.url, status: step.status, reason: 'scripted failure' });
        res.writeHead(step.status, { 'content-type': 'text/plain', ...(step.headers ?? {}) });
        res.end(step.body ?? `scripted ${step.status}`);
        notify();
        return;
      }
      if (req.method !== 'POST') return reject(405, `method ${req.method} not allowed; POST telemetry`);
      const path = new URL(req.url, 'http://collector').pathname;
      const signal = OTLP_PATHS[path];
      if (path !== '/ingest' && !signal) return reject(404, `unknown path ${path}; use /ingest or /v1/{traces,metrics,logs}`);
      if (tooLarge) return reject(413, `body of ${size} bytes exceeds ${maxBodyBytes}`);
      if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
        return reject(415, `content-type ${req.headers['content-type'] ?? '(none)'} is not application/json`);
      }
      const bytes = Buffer.concat(chunks);
      let doc;
      try {
        doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
      } catch (error) {
        return reject(400, `body is not valid UTF-8 JSON: ${error.message}`);
      }
      let records;
      try {
        records = signal ? decodeOtlp(signal, doc) : decodeNative(doc);
      } catch (error) {
        if (error instanceof DecodeError) return reject(400, error.message);
        // Not the payload's fault (e.g. the OTLP definitions are not installed): say so rather
        // than take the test process down from inside a request handler.
        return reject(500, `collector cannot decode: ${error.message}`);
      }
      const format = signal ? 'otlp-json' : 'native';
      for (const r of records.spans) state.spans.push({ ...r, format });
      for (const r of records.metrics) state.metrics.push({ ...r, format });
      for (const r of records.logs) state.logs.push({ ...r, format });
      state.payloads.push({
        format,
        signal: signal ?? 'mixed',
        bytes: bytes.length,
        records: records.spans.length + records.metrics.length + records.logs.length,
        headers: req.headers,
      });
      reply(200);
      onRecords?.(records, { format, bytes: bytes.length, headers: req.headers, doc });
      notify();
    });
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  const url = `http://${host}:${address.port}`;

  const collector = {
    url,
    port: address.port,
    nativeUrl: `${url}/ingest`,
    otlpUrl: url,
    // Answer the next `times` requests with `status` (and optional body/headers) instead of
    // accepting them: for testing what a Worker does when its collector fails.
    failNext(status, { times = 1, body, headers } = {}) {
      scripted.push({ status, times, body, headers });
    },
    failAlways(status, { body, headers } = {}) {
      scripted = [{ status, times: Number.POSITIVE_INFINITY, body, headers }];
    },
    recover() {
      scripted = [];
    },
    clear() {
      Object.assign(state, emptyState());
    },
    // Resolves when predicate(collector) is true; rejects after timeoutMs saying what was there.
    waitFor(predicate, { timeoutMs = 5000 } = {}) {
      return new Promise((resolve, reject) => {
        const waiter = {
          check: () => {
            if (!predicate(this)) return;
            clearTimeout(waiter.timer);
            waiters.delete(waiter);
            resolve(this);
          },
        };
        waiter.timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`collector.waitFor timed out after ${timeoutMs} ms; have ${this.summary()}`));
        }, timeoutMs);
        waiters.add(waiter);
        waiter.check();
      });
    },
    summary() {
      return `${state.spans.length} spans, ${state.metrics.length} metrics, ${state.logs.length} logs in ${state.payloads.length} payloads (${state.rejected.length} rejected)`;
    },
    close() {
      return new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      });
    },
  };
  // What arrived, read live: spans, metrics, logs, payloads, rejected, requests.
  for (const key of Object.keys(state)) {
    Object.defineProperty(collector, key, { get: () => state[key], enumerable: true });
  }
  return collector;
}
