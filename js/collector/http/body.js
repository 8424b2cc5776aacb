// The request body as JSON, read within bounds. Refused before any storage is touched:
//   415 a content type other than JSON, or a content encoding other than gzip/identity;
//   413 a Content-Length over maxBodyBytes (without reading), a body that turns out longer while
//       it streams (a sender may omit or understate the length: RFC 9112 §6.3 chunked bodies),
//       or a gzip body that inflates past maxDecodedBytes (read chunk by chunk, never whole);
//   400 a body that is not gzip as declared, not UTF-8, or not JSON.
// Gzip is inflated with the platform's DecompressionStream (Workers runtime API, Compression Streams).
import { HttpError } from './http-error.js';

function mediaType(request) {
  const header = request.headers.get('content-type');
  return header === null ? '' : header.split(';')[0].trim().toLowerCase();
}

function encoding(request) {
  const header = (request.headers.get('content-encoding') ?? '').trim().toLowerCase();
  if (header === '' || header === 'identity') return 'identity';
  if (header === 'gzip' || header === 'x-gzip') return 'gzip';
  throw new HttpError(415, `unsupported Content-Encoding ${JSON.stringify(header)}: send gzip or no encoding`);
}

// Every chunk of `stream` into one array, refusing (and cancelling) past `cap` bytes.
async function readCapped(stream, cap, tooLarge) {
  const reader = stream.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > cap) {
      reader.cancel().catch(() => {});
      throw new HttpError(413, tooLarge);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

// Counts the bytes as sent, so the wire cap holds on the compressed stream too. The pipe's error
// reaches the reader through the DecompressionStream, which need not keep the reason object,
// so `over` records it.
function wireCap(cap) {
  const state = { over: false, total: 0 };
  state.stream = new TransformStream({
    transform(chunk, controller) {
      state.total += chunk.byteLength;
      if (state.total > cap) {
        state.over = true;
        throw new RangeError(`request body over ${cap} bytes`);
      }
      controller.enqueue(chunk);
    },
  });
  return state;
}

export async function readJsonBody(request, { maxBodyBytes, maxDecodedBytes }) {
  const type = mediaType(request);
  if (type !== 'application/json') {
    throw new HttpError(415, `unsupported Content-Type ${JSON.stringify(type)}: send application/json`);
  }
  const coding = encoding(request);
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBodyBytes) {
    throw new HttpError(413, `request body of ${declared} bytes is over the ${maxBodyBytes}-byte cap`);
  }
  if (request.body === null) throw new HttpError(400, 'empty request body: expected a JSON payload', '$');
  let bytes;
  if (coding === 'identity') {
    bytes = await readCapped(request.body, maxBodyBytes, `request body over the ${maxBodyBytes}-byte cap`);
  } else {
    const cap = wireCap(maxBodyBytes);
    const inflated = request.body.pipeThrough(cap.stream).pipeThrough(new DecompressionStream('gzip'));
    try {
      bytes = await readCapped(inflated, maxDecodedBytes, `gzip body inflates past the ${maxDecodedBytes}-byte cap`);
    } catch (e) {
      if (cap.over) throw new HttpError(413, `request body over the ${maxBodyBytes}-byte cap`);
      if (e instanceof HttpError) throw e;
      throw new HttpError(400, `the body is not valid gzip (Content-Encoding: gzip): ${e?.message ?? e}`, '$');
    }
  }
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, 'the body is not UTF-8 text', '$');
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, `the body is not JSON: ${e.message}`, '$');
  }
}
