// A real HTTP origin on loopback for Workers to fetch from: fixed, pre-computed bodies in every
// framing and content coding a proxy meets (Content-Length or chunked; identity, gzip, br,
// deflate), conditional and range requests, redirects, a large body, an endless event stream and
// a connection that dies mid-body. Bodies are built once with node:zlib (an encoder we did not
// write), so a test can check what a client received against them.
//
// `events(id)` lists what happened to requests carrying `?id=`: whether the origin saw the
// connection go away before its response finished ('closed-early'), and reports a Worker sent
// to /report?id=&event= (a Worker's stream `cancel()` tells the test it ran that way).
import { createServer } from 'node:http';
import { brotliCompressSync, constants as zlibConstants, deflateSync, gzipSync } from 'node:zlib';

// Text with enough repetition to compress well and enough variety to span many chunks.
function makeText(lines) {
  const out = [];
  for (let i = 0; i < lines; i++) out.push(`line ${i}: the quick brown fox ${(i * 7919) % 1000} jumps over ${'lazy dog '.repeat(i % 5)}\n`);
  return out.join('');
}

// Deterministic bytes (xorshift32) so a large body has no pattern a codec or cache could shortcut.
function makeBytes(size) {
  const out = Buffer.allocUnsafe(size);
  let x = 0x9e3779b9;
  for (let i = 0; i < size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.writeUInt32LE(x >>> 0, i);
  }
  return out;
}

function makeHtml() {
  const paragraphs = [];
  for (let i = 0; i < 300; i++) paragraphs.push(`<p class="p${i % 3}">paragraph ${i} of the origin page</p>`);
  const head = '<!doctype html>\n<html><head><title>origin page</title></head><body>\n<h1>hello from the origin</h1>\n';
  return `${head}${paragraphs.join('\n')}\n<h1>second heading</h1>\n</body></html>\n`;
}

export const ORIGIN_TEXT = Buffer.from(makeText(2000), 'utf8'); // ~120 KB
export const ORIGIN_HTML = Buffer.from(makeHtml(), 'utf8');
export const BIG_BODY = makeBytes(10 * 1024 * 1024);
export const ORIGIN_ETAG = '"origin-v1"';
const BROKEN_LENGTH = 200_000; // announced; only half is sent before the socket is destroyed

export const ENCODED = {
  gzip: gzipSync(ORIGIN_TEXT),
  br: brotliCompressSync(ORIGIN_TEXT, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5 } }),
  deflate: deflateSync(ORIGIN_TEXT),
};

// Writes `bytes` as several chunks (no Content-Length, so Node frames it chunked), yielding to
// the event loop between them so they leave as separate chunks.
async function writeChunked(res, bytes, pieces = 8) {
  const size = Math.ceil(bytes.length / pieces);
  for (let offset = 0; offset < bytes.length; offset += size) {
    if (res.destroyed) return;
    res.write(bytes.subarray(offset, offset + size));
    await new Promise((resolve) => setImmediate(resolve));
  }
  res.end();
}

function sendFixed(req, res, status, headers, bytes) {
  res.writeHead(status, { ...headers, 'content-length': String(bytes.length) });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

// Parses a single `bytes=a-b` / `bytes=a-` / `bytes=-n` range (RFC 9110 section 14.1.2).
function parseRange(header, size) {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header ?? '');
  if (!match || (match[1] === '' && match[2] === '')) return null;
  let start;
  let end;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  return start <= end && start < size ? { start, end } : null;
}

// Picks a coding the way an origin negotiating Accept-Encoding does: br, then gzip, else identity.
function negotiate(acceptEncoding) {
  const offered = String(acceptEncoding ?? '')
    .split(',')
    .map((part) => part.trim().split(';')[0].toLowerCase());
  if (offered.includes('br')) return 'br';
  if (offered.includes('gzip')) return 'gzip';
  return null;
}

export async function startOrigin({ host = '127.0.0.1' } = {}) {
  const events = new Map(); // id -> [event]
  const note = (id, event) => {
    if (!id) return;
    if (!events.has(id)) events.set(id, []);
    events.get(id).push(event);
  };
  const timers = new Set();

  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://origin');
    const id = url.searchParams.get('id');
    res.on('close', () => {
      if (!res.writableFinished) note(id, 'closed-early');
    });
    const text = { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'public, max-age=60' };
    const path = url.pathname;

    if (path === '/identity') return sendFixed(req, res, 200, { ...text, etag: ORIGIN_ETAG }, ORIGIN_TEXT);
    if (path === '/chunked') {
      res.writeHead(200, text);
      if (req.method === 'HEAD') return res.end();
      return writeChunked(res, ORIGIN_TEXT);
    }
    const coded = /^\/(gzip|br|deflate)(-chunked)?$/.exec(path);
    if (coded) {
      const headers = { ...text, 'content-encoding': coded[1], vary: 'accept-encoding' };
      if (!coded[2]) return sendFixed(req, res, 200, headers, ENCODED[coded[1]]);
      res.writeHead(200, headers);
      if (req.method === 'HEAD') return res.end();
      return writeChunked(res, ENCODED[coded[1]]);
    }
    if (path === '/negotiated') {
      const coding = negotiate(req.headers['accept-encoding']);
      const headers = { ...text, vary: 'accept-encoding', ...(coding ? { 'content-encoding': coding } : {}) };
      return sendFixed(req, res, 200, headers, coding ? ENCODED[coding] : ORIGIN_TEXT);
    }
    if (path === '/html') return sendFixed(req, res, 200, { 'content-type': 'text/html; charset=utf-8' }, ORIGIN_HTML);
    if (path === '/html-chunked') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return writeChunked(res, ORIGIN_HTML);
    }
    if (path === '/no-content') {
      res.writeHead(204, { 'x-origin': 'no-content' });
      return res.end();
    }
    if (path === '/range') {
      const range = parseRange(req.headers.range, ORIGIN_TEXT.length);
      const headers = { ...text, 'accept-ranges': 'bytes' };
      if (!range) return sendFixed(req, res, 200, headers, ORIGIN_TEXT);
      headers['content-range'] = `bytes ${range.start}-${range.end}/${ORIGIN_TEXT.length}`;
      return sendFixed(req, res, 206, headers, ORIGIN_TEXT.subarray(range.start, range.end + 1));
    }
    if (path === '/conditional') {
      if (req.headers['if-none-match'] === ORIGIN_ETAG) {
        // RFC 9110 section 15.4.5: a 304 carries the validators, no content.
        res.writeHead(304, { etag: ORIGIN_ETAG, 'cache-control': 'public, max-age=60' });
        return res.end();
      }
      return sendFixed(req, res, 200, { ...text, etag: ORIGIN_ETAG }, ORIGIN_TEXT);
    }
    const redirect = /^\/redirect\/(301|302)$/.exec(path);
    if (redirect) {
      const headers = { 'content-type': 'text/plain', location: '/identity' };
      return sendFixed(req, res, Number(redirect[1]), headers, Buffer.from('moved to /identity\n'));
    }
    if (path === '/cookies') {
      res.setHeader('set-cookie', ['session=abc; Path=/; HttpOnly', 'theme=dark; Path=/', 'seen=1; Max-Age=60']);
      return sendFixed(req, res, 200, { 'content-type': 'text/plain' }, Buffer.from('three cookies from the origin\n'));
    }
    if (path === '/slow') {
      // Headers at once, the first body byte 300 ms later.
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setTimeout(() => {
        timers.delete(timer);
        res.end('slow body\n');
      }, 300);
      timers.add(timer);
      return undefined;
    }
    if (path === '/big') return sendFixed(req, res, 200, { 'content-type': 'application/octet-stream' }, BIG_BODY);
    if (path === '/sse') {
      // Server-Sent Events (HTML Living Standard section 9.2): one event every 20 ms for up to a
      // minute, or until the reader goes away.
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      let n = 0;
      const timer = setInterval(() => {
        if (res.destroyed || n >= 3000) {
          clearInterval(timer);
          timers.delete(timer);
          if (!res.destroyed) res.end();
          return;
        }
        res.write(sseEvent(n++));
      }, 20);
      timers.add(timer);
      return undefined;
    }
    const broken = /^\/broken(-chunked)?$/.exec(path);
    if (broken) {
      // Headers and the first half of the body, then the connection dies.
      res.writeHead(200, { 'content-type': 'application/octet-stream', ...(broken[1] ? {} : { 'content-length': String(BROKEN_LENGTH) }) });
      res.write(BIG_BODY.subarray(0, BROKEN_LENGTH / 2));
      const timer = setTimeout(() => {
        timers.delete(timer);
        res.socket?.destroy();
      }, 50);
      timers.add(timer);
      return undefined;
    }
    if (path === '/report') {
      note(id, url.searchParams.get('event'));
      res.writeHead(204);
      return res.end();
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    return res.end(`origin has no ${path}\n`);
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address();
  return {
    url: `http://${host}:${port}`,
    port,
    events: (id) => events.get(id) ?? [],
    // Resolves when `predicate(events(id))` holds; rejects after timeoutMs listing what happened.
    waitForEvents(id, predicate, { timeoutMs = 5000 } = {}) {
      const started = Date.now();
      return new Promise((resolve, reject) => {
        const check = () => {
          const seen = events.get(id) ?? [];
          if (predicate(seen)) return resolve(seen);
          if (Date.now() - started > timeoutMs) {
            return reject(new Error(`origin: events for ${id} after ${timeoutMs} ms: ${JSON.stringify(seen)}`));
          }
          setTimeout(check, 20);
        };
        check();
      });
    },
    close() {
      for (const timer of timers) clearTimeout(timer); // clearTimeout also clears intervals in Node
      return new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      });
    },
  };
}

export const sseEvent = (n) => `id: ${n}\ndata: event ${n}\n\n`;
export const BROKEN_SENT = BROKEN_LENGTH / 2;
