// A capture collector on loopback: accepts the native ingest JSON (POST /ingest) and OTLP/HTTP,
// JSON or binary protobuf (POST /v1/traces, /v1/metrics, /v1/logs, content-type application/json
// or application/x-protobuf), decodes and validates every payload, and keeps
// what arrived so a test can assert on it. Malformed input gets a 4xx with a message naming the
// problem and is kept in `rejected`, never half-recorded. OTLP bodies are checked in full against
// the opentelemetry-proto definitions (otlp-json.js): a 400 names the JSON path of the first
// offending value, e.g. `$.resourceMetrics[0].scopeMetrics[0].metrics[2].sum.dataPoints[1].asDouble`.
// A protobuf body is decoded by protobufjs over the same definitions into that same JSON document
// (otlp-proto.js: proto3 JSON mapping), so it is validated and captured exactly as the JSON would
// be; a body that is not well-formed protobuf of the signal's request is a 400 naming what failed.
// A protobuf request is answered in protobuf (OTLP/HTTP "Response": the request's encoding): an
// Export*ServiceResponse, empty or with its partial_success.
//
// A body sent with Content-Encoding: gzip (OTLP/HTTP "Request": the one encoding a client may
// use) is gunzipped before decoding, bounded by maxBodyBytes on both the wire and the decompressed
// size (a small gzip may expand a thousandfold: over the limit is a 413 naming it); a corrupt
// gzip body is a 400, any other Content-Encoding a 415 (RFC 9110 section 15.5.16). Each entry of
// `payloads` says which encoding arrived (`contentEncoding`), the decoded body's size (`bytes`)
// and the size on the wire (`wireBytes`, smaller than `bytes` when compressed).
//
// Batches are de-duplicated as an idempotent collector would: a request whose batch id (the
// Idempotency-Key header, else the native body's `batchId`) was accepted before is answered 200
// and not recorded again (`duplicates`), so a test can tell "arrived once" from "arrived twice".
//
// Scripted behaviour, applied to the next requests in the order it was asked for (each request uses
// up one step, even one that is then refused as malformed):
//   failNext / failAlways   answer with a status instead of accepting (nothing is read or kept)
//   acceptThenDrop          accept and record the batch, then destroy the socket unanswered: the
//                           sender cannot know it arrived (it will send it again)
//   partialSuccess          accept, record all but the last `rejected` records, and answer 200
//                           with an OTLP ExportXServiceResponse partialSuccess body (protobuf
//                           for a protobuf request)
import { createServer } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { DecodeError, decodeNative } from '../wire/index.js';
import { decodeOtlp, otlpProtoResponse, otlpProtoToJson } from '../wire/otlp/index.js';

const OTLP_PATHS = { '/v1/traces': 'traces', '/v1/metrics': 'metrics', '/v1/logs': 'logs' };
// ExportXServiceResponse.partialSuccess count field per signal (opentelemetry-proto collector/*).
const PROTO_REQUESTS = { traces: 'ExportTraceServiceRequest', metrics: 'ExportMetricsServiceRequest', logs: 'ExportLogsServiceRequest' };
const REJECTED_FIELD = { traces: 'rejectedSpans', metrics: 'rejectedDataPoints', logs: 'rejectedLogRecords', mixed: 'rejectedSpans' };

export async function startCollector(options = {}) {
  const { port = 0, host = '127.0.0.1', maxBodyBytes = 16 * 1024 * 1024, onRecords } = options;
  const emptyState = () => ({ spans: [], metrics: [], logs: [], payloads: [], rejected: [], requests: 0, duplicates: [], batchIds: [] });
  const state = emptyState();
  let seen = new Set(); // `${path} ${batchId}` of every accepted batch
  const waiters = new Set();
  let scripted = []; // [{ kind: 'fail' | 'accept-then-drop' | 'partial', times, ... }]

  const notify = () => {
    for (const waiter of waiters) waiter.check();
  };
  const takeStep = () => {
    if (scripted.length === 0) return null;
    const step = scripted[0];
    if (--step.times <= 0) scripted.shift();
    return step;
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
      const path = new URL(req.url, 'http://collector').pathname;
      const signal = OTLP_PATHS[path];
      const contentType = String(req.headers['content-type'] ?? '').trim();
      const proto = /^application\/x-protobuf\b/i.test(contentType);
      const reply = (status, message) => {
        if (status < 300 && proto && signal) {
          res.writeHead(status, { 'content-type': 'application/x-protobuf' });
          res.end(otlpProtoResponse(signal));
          return;
        }
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(status < 300 ? { accepted: true } : { error: message }));
      };
      const reject = (status, reason) => {
        state.rejected.push({ path: req.url, status, reason });
        reply(status, reason);
        notify();
      };
      const step = takeStep();
      if (step?.kind === 'fail') {
        state.rejected.push({ path: req.url, status: step.status, reason: 'scripted failure' });
        res.writeHead(step.status, { 'content-type': 'text/plain', ...(step.headers ?? {}) });
        res.end(step.body ?? `scripted ${step.status}`);
        notify();
        return;
      }
      if (req.method !== 'POST') return reject(405, `method ${req.method} not allowed; POST telemetry`);
      if (path !== '/ingest' && !signal) return reject(404, `unknown path ${path}; use /ingest or /v1/{traces,metrics,logs}`);
      if (tooLarge) return reject(413, `body of ${size} bytes exceeds ${maxBodyBytes}`);
      if (proto && !signal) return reject(415, 'content-type application/x-protobuf is for OTLP (/v1/traces, /v1/metrics, /v1/logs); /ingest takes application/json');
      if (!proto && !contentType.startsWith('application/json')) {
        return reject(415, `content-type ${req.headers['content-type'] ?? '(none)'} is not application/json${signal ? ' or application/x-protobuf' : ''}`);
      }
      const wire = Buffer.concat(chunks);
      const contentEncoding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase() || 'identity';
      if (contentEncoding !== 'identity' && contentEncoding !== 'gzip') {
        return reject(415, `content-encoding ${req.headers['content-encoding']} is not supported; send gzip or no content-encoding`);
      }
      let bytes = wire;
      if (contentEncoding === 'gzip') {
        try {
          // maxOutputLength stops inflating at the limit instead of after it (a gzip bomb).
          bytes = gunzipSync(wire, { maxOutputLength: maxBodyBytes });
        } catch (error) {
          if (error.code === 'ERR_BUFFER_TOO_LARGE') {
            return reject(413, `gzip body of ${wire.length} bytes decompresses to more than ${maxBodyBytes} bytes (maxBodyBytes)`);
          }
          return reject(400, `body is not valid gzip (content-encoding: gzip): ${error.message}`);
        }
      }
      let doc;
      let records;
      try {
        if (proto) doc = otlpProtoToJson(signal, bytes);
        else doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
      } catch (error) {
        if (proto && error instanceof DecodeError) return reject(400, `body is not a valid protobuf ${PROTO_REQUESTS[signal]}: ${error.message}`);
        if (proto) return reject(500, `collector cannot decode protobuf: ${error.message}`);
        return reject(400, `body is not valid UTF-8 JSON: ${error.message}`);
      }
      try {
        records = signal ? decodeOtlp(signal, doc) : decodeNative(doc);
      } catch (error) {
        if (error instanceof DecodeError) return reject(400, error.message);
        // Not the payload's fault (e.g. the OTLP definitions are not installed): say so rather
        // than take the test process down from inside a request handler.
        return reject(500, `collector cannot decode: ${error.message}`);
      }
      const format = proto ? 'otlp-proto' : signal ? 'otlp-json' : 'native';
      const batchId = batchIdOf(req.headers, signal ? null : doc);
      if (batchId !== null && seen.has(`${path} ${batchId}`)) {
        const known = state.duplicates.find((d) => d.batchId === batchId && d.path === path);
        if (known) known.count++;
        else state.duplicates.push({ batchId, path, count: 1 });
        if (step?.kind === 'accept-then-drop') res.destroy();
        else reply(200);
        notify();
        return;
      }
      const total = records.spans.length + records.metrics.length + records.logs.length;
      const refused = step?.kind === 'partial' ? Math.min(step.rejected, total) : 0;
      const kept = keepFirst(records, total - refused);
      for (const r of kept.spans) state.spans.push({ ...r, format });
      for (const r of kept.metrics) state.metrics.push({ ...r, format });
      for (const r of kept.logs) state.logs.push({ ...r, format });
      if (batchId !== null) {
        seen.add(`${path} ${batchId}`);
        state.batchIds.push(batchId);
      }
      state.payloads.push({
        format,
        signal: signal ?? 'mixed',
        bytes: bytes.length,
        wireBytes: wire.length,
        contentEncoding,
        records: total - refused,
        headers: req.headers,
        batchId,
      });
      if (step?.kind === 'accept-then-drop') {
        // Recorded, then the connection dies before any answer: the sender sees a network error.
        res.destroy();
      } else if (step?.kind === 'partial' && proto) {
        res.writeHead(200, { 'content-type': 'application/x-protobuf' });
        res.end(otlpProtoResponse(signal, { rejected: step.rejected, message: step.message }));
      } else if (step?.kind === 'partial') {
        const partialSuccess = { [REJECTED_FIELD[signal ?? 'mixed']]: String(step.rejected), errorMessage: step.message };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ partialSuccess }));
      } else {
        reply(200);
      }
      onRecords?.(kept, { format, bytes: bytes.length, headers: req.headers, doc });
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
      scripted.push({ kind: 'fail', status, times: count('failNext', times), body, headers });
    },
    failAlways(status, { body, headers } = {}) {
      scripted = [{ kind: 'fail', status, times: Number.POSITIVE_INFINITY, body, headers }];
    },
    // Take the next `times` batches, then close their connections without answering.
    acceptThenDrop({ times = 1 } = {}) {
      scripted.push({ kind: 'accept-then-drop', times: count('acceptThenDrop', times) });
    },
    // Take the next `times` batches but the last `rejected` records of each, answering 200 with
    // { partialSuccess: { rejected<Spans|DataPoints|LogRecords>: "<rejected>", errorMessage } }
    // (a protobuf request gets the protobuf Export*ServiceResponse with that partial_success).
    partialSuccess({ rejected, message = '', times = 1 } = {}) {
      if (!Number.isSafeInteger(rejected) || rejected < 0) throw new TypeError(`partialSuccess({ rejected }): expected a non-negative integer, got ${String(rejected)}`);
      if (typeof message !== 'string') throw new TypeError('partialSuccess({ message }): expected a string');
      scripted.push({ kind: 'partial', rejected, message, times: count('partialSuccess', times) });
    },
    recover() {
      scripted = [];
    },
    clear() {
      Object.assign(state, emptyState());
      seen = new Set();
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
      const duplicates = state.duplicates.reduce((sum, d) => sum + d.count, 0);
      return `${state.spans.length} spans, ${state.metrics.length} metrics, ${state.logs.length} logs in ${state.payloads.length} payloads (${state.rejected.length} rejected, ${duplicates} duplicate)`;
    },
    close() {
      return new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      });
    },
  };
  // What arrived, read live: spans, metrics, logs, payloads, rejected, requests, duplicates, batchIds.
  for (const key of Object.keys(state)) {
    Object.defineProperty(collector, key, { get: () => state[key], enumerable: true });
  }
  return collector;
}

// The batch id of a request: the Idempotency-Key header every edgescope exporter sends, else the
// native body's top-level `batchId`; null when there is neither (nothing to de-duplicate on).
// The header may also come as a quoted structured-field string (the IETF Idempotency-Key draft).
function batchIdOf(headers, nativeDoc) {
  const header = headers['idempotency-key'];
  if (typeof header === 'string' && header !== '') return /^"[^"]+"$/.test(header) ? header.slice(1, -1) : header;
  return typeof nativeDoc?.batchId === 'string' && nativeDoc.batchId !== '' ? nativeDoc.batchId : null;
}

// The first n records, in the order spans, metrics, logs (a native payload's order).
function keepFirst(records, n) {
  const spans = records.spans.slice(0, n);
  const metrics = records.metrics.slice(0, n - spans.length);
  const logs = records.logs.slice(0, n - spans.length - metrics.length);
  return { spans, metrics, logs };
}

function count(method, times) {
  if (times !== Number.POSITIVE_INFINITY && (!Number.isSafeInteger(times) || times < 1)) {
    throw new TypeError(`${method}({ times }): expected a positive integer, got ${String(times)}`);
  }
  return times;
}
