// A raw HTTP/1.1 client over node:net, so a test sees exactly what a Worker put on the wire:
// the status line, every header line in order (repeated names kept), the body framing, the body
// bytes (de-chunked, never decompressed), and when the first body byte arrived. Framing follows
// RFC 9112 section 6.3: no body for HEAD, 1xx, 204 and 304; chunked when Transfer-Encoding ends
// in chunked; else Content-Length; else until the connection closes.
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';

const IDLE_MS = 4000; // no bytes for this long: report what arrived instead of hanging the suite

// bodyPauseMs: send the first half of the body, pause, then the rest (a slow uploader).
export function rawRequest(baseUrl, { method = 'GET', path = '/', headers = {}, body, bodyPauseMs, closeAfterBytes, upgrade = false } = {}) {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    socket.setNoDelay(true);
    const result = {
      status: null,
      statusText: null,
      headers: [], // [lowercased name, value], in wire order
      framing: null, // 'none' | 'content-length' | 'chunked' | 'close' | 'upgrade'
      body: Buffer.alloc(0),
      complete: false, // the body ended where its framing says it ends
      error: null, // why it did not, when it did not
      headersMs: null,
      firstByteMs: null,
      socket: null, // kept open for an upgrade
    };
    let buffer = Buffer.alloc(0);
    const bodyParts = [];
    let bodyLength = 0;
    let state = 'head';
    let remaining = 0; // Content-Length left, or bytes left in the current chunk
    let sentAt = 0;
    let settled = false;

    const finish = (error = null) => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      result.body = Buffer.concat(bodyParts);
      if (error && !result.complete) result.error = error;
      if (!upgrade || result.status !== 101) socket.destroy();
      resolve(result);
    };
    let idle = null;
    const armIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => finish(`stalled: no bytes for ${IDLE_MS} ms (state ${state})`), IDLE_MS);
    };
    const takeBody = (bytes) => {
      if (bytes.length === 0) return;
      if (result.firstByteMs === null) result.firstByteMs = performance.now() - sentAt;
      bodyParts.push(bytes);
      bodyLength += bytes.length;
      if (closeAfterBytes !== undefined && bodyLength >= closeAfterBytes) {
        result.error = 'client closed the connection';
        finish();
      }
    };
    const done = () => {
      result.complete = true;
      finish();
    };

    const parseHead = () => {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return false;
      const lines = buffer.subarray(0, end).toString('latin1').split('\r\n');
      buffer = buffer.subarray(end + 4);
      const statusLine = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0]);
      if (!statusLine) {
        finish(`malformed status line ${JSON.stringify(lines[0])}`);
        return false;
      }
      result.status = Number(statusLine[1]);
      result.statusText = statusLine[2] ?? '';
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        result.headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
      }
      result.headersMs = performance.now() - sentAt;
      const header = (name) => result.headers.filter(([n]) => n === name).map(([, v]) => v);
      const transferEncoding = header('transfer-encoding').join(',').toLowerCase();
      if (result.status === 101 && upgrade) {
        result.framing = 'upgrade';
        result.socket = socket;
        result.leftover = buffer;
        done();
        return false;
      }
      if (method === 'HEAD' || (result.status >= 100 && result.status < 200) || result.status === 204 || result.status === 304) {
        result.framing = 'none';
        done();
        return false;
      }
      if (/(^|,)\s*chunked\s*$/.test(transferEncoding)) {
        result.framing = 'chunked';
        state = 'chunk-size';
      } else if (header('content-length').length > 0) {
        result.framing = 'content-length';
        remaining = Number(header('content-length')[0]);
        state = 'fixed';
        if (remaining === 0) {
          done();
          return false;
        }
      } else {
        result.framing = 'close';
        state = 'until-close';
      }
      return true;
    };

    // Consumes as much of `buffer` as the current state allows; false when more bytes are needed.
    const step = () => {
      switch (state) {
        case 'head':
          return parseHead();
        case 'fixed': {
          const take = buffer.subarray(0, remaining);
          buffer = buffer.subarray(take.length);
          remaining -= take.length;
          takeBody(take);
          if (remaining === 0 && !settled) done();
          return false;
        }
        case 'until-close':
          takeBody(buffer);
          buffer = Buffer.alloc(0);
          return false;
        case 'chunk-size': {
          const eol = buffer.indexOf('\r\n');
          if (eol < 0) return false;
          const size = parseInt(buffer.subarray(0, eol).toString('latin1').split(';')[0], 16);
          buffer = buffer.subarray(eol + 2);
          if (!Number.isInteger(size)) {
            finish('malformed chunk size');
            return false;
          }
          remaining = size;
          state = size === 0 ? 'trailer' : 'chunk-data';
          return true;
        }
        case 'chunk-data': {
          const take = buffer.subarray(0, remaining);
          buffer = buffer.subarray(take.length);
          remaining -= take.length;
          takeBody(take);
          if (remaining > 0 || settled) return false;
          state = 'chunk-end';
          return true;
        }
        case 'chunk-end':
          if (buffer.length < 2) return false;
          buffer = buffer.subarray(2);
          state = 'chunk-size';
          return true;
        case 'trailer': {
          // Trailer fields end with an empty line; with no trailers that is the next CRLF.
          const end = buffer.indexOf('\r\n');
          if (end < 0) return false;
          const line = buffer.subarray(0, end);
          buffer = buffer.subarray(end + 2);
          if (line.length === 0) done();
          return !settled;
        }
        default:
          return false;
      }
    };

    socket.on('data', (data) => {
      if (settled) return;
      armIdle();
      buffer = buffer.length ? Buffer.concat([buffer, data]) : data;
      while (!settled && step());
    });
    socket.on('end', () => {
      if (state === 'until-close') done();
      else finish(`connection closed by the server in state ${state}`);
    });
    socket.on('error', (error) => finish(`socket error ${error.code ?? error.message}`));
    socket.on('connect', () => {
      const lines = [`${method} ${path} HTTP/1.1`, `host: ${hostname}:${port}`];
      const all = { connection: upgrade ? 'upgrade' : 'close', ...headers };
      if (body !== undefined) all['content-length'] = String(body.length);
      for (const [name, value] of Object.entries(all)) lines.push(`${name}: ${value}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      sentAt = performance.now();
      if (body !== undefined && bodyPauseMs) {
        const half = Math.floor(body.length / 2);
        socket.write(body.subarray(0, half));
        setTimeout(() => socket.write(body.subarray(half)), bodyPauseMs);
      } else if (body !== undefined) socket.write(body);
      armIdle();
    });
  });
}

export const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

// A random W3C traceparent (version 00, sampled) and its trace id, to find a request's root span.
export function newTraceparent() {
  const traceId = randomBytes(16).toString('hex');
  return { traceId, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
}

// RFC 6455 section 5.2: one masked text frame from the client (payload under 126 bytes).
export function maskedTextFrame(text) {
  const payload = Buffer.from(text, 'utf8');
  if (payload.length >= 126) throw new RangeError('maskedTextFrame: payload must be under 126 bytes');
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
}

// Reads one unmasked server text frame (payload under 126 bytes) from an upgraded socket.
export function readTextFrame(socket, leftover = Buffer.alloc(0), timeoutMs = 4000) {
  return new Promise((resolve, reject) => {
    let buffer = leftover;
    const timer = setTimeout(() => reject(new Error(`no WebSocket frame within ${timeoutMs} ms`)), timeoutMs);
    const check = () => {
      if (buffer.length < 2) return;
      const length = buffer[1] & 0x7f;
      if (buffer.length < 2 + length) return;
      clearTimeout(timer);
      socket.off('data', onData);
      resolve({ opcode: buffer[0] & 0x0f, fin: Boolean(buffer[0] & 0x80), text: buffer.subarray(2, 2 + length).toString('utf8') });
    };
    const onData = (data) => {
      buffer = Buffer.concat([buffer, data]);
      check();
    };
    socket.on('data', onData);
    check();
  });
}
