// Request bodies, read within bounds. Two steps, so every format shares the same bounds:
// readBodyBytes (the media type, the encoding, the caps, gzip) and parseJsonBody (UTF-8, JSON).
// Refused before any storage is touched:
//   415 a content type the endpoint does not take, or a content encoding other than gzip/identity;
//   413 a Content-Length over maxBodyBytes (without reading), a body that turns out longer while
//       it streams (a sender may omit or understate the length: RFC 9112 §6.3 chunked bodies),
//       or a gzip body that inflates past maxDecodedBytes (read chunk by chunk, never whole);
//   400 a body that is not gzip as declared, not UTF-8, or not JSON.
// Gzip is inflated with the platform's DecompressionStream (Workers runtime API, Compression Streams).
import { HttpError } from './http-error.js';

// The media type of the request, lowercased, without parameters ('' when absent).
export function mediaType(request) {
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

// The body's bytes (gunzipped), for a request whose media type is one of `types`:
// -> { type, bytes }. A request without a body gives zero bytes (for protobuf, an empty message).
export async function readBodyBytes(request, { maxBodyBytes, maxDecodedBytes }, types = ['application/json']) {
  const type = mediaType(request);
  if (!types.includes(type)) {
    throw new HttpError(415, `unsupported Content-Type ${JSON.stringify(type)}: send ${types.join(' or ')}`);
  }
  const coding = encoding(request);
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBodyBytes) {
    throw new HttpError(413, `request body of ${declared} bytes is over the ${maxBodyBytes}-byte cap`);
  }
  if (request.body === null) return { type, bytes: new Uint8Array(0) };
  if (coding === 'identity') {
    return { type, bytes: await readCapped(request.body, maxBodyBytes, `request body over the ${maxBodyBytes}-byte cap`) };
  }
  const cap = wireCap(maxBodyBytes);
  const inflated = request.body.pipeThrough(cap.stream).pipeThrough(new DecompressionStream('gzip'));
  try {
    return { type, bytes: await readCapped(inflated, maxDecodedBytes, `gzip body inflates past the ${maxDecodedBytes}-byte cap`) };
  } catch (e) {
    if (cap.over) throw new HttpError(413, `request body over the ${maxBodyBytes}-byte cap`);
    if (e instanceof HttpError) throw e;
    throw new HttpError(400, `the body is not valid gzip (Content-Encoding: gzip): ${e?.message ?? e}`, '$');
  }
}

// Bytes read by readBodyBytes as JSON: 400 at '$' for text that is not UTF-8 or not JSON.
export function parseJsonBody(bytes) {
  if (bytes.byteLength === 0) throw new HttpError(400, 'empty request body: expected a JSON payload', '$');
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

// The native ingest body: application/json only.
export async function readJsonBody(request, limits) {
  const { bytes } = await readBodyBytes(request, limits, ['application/json']);
  return parseJsonBody(bytes);
}
