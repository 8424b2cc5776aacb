// An ingest request into a decoded native payload, or an HttpError with the status to answer:
// the body's bounds and encoding (body.js), then the wire module's strict decoder, whose
// DecodeError names the bad field's JSON path (400). Touches no storage, so everything it
// refuses stores nothing.
import { DecodeError, decodeNative } from '../../wire/index.js';
import { readJsonBody } from '../http/body.js';
import { HttpError } from '../http/http-error.js';

export async function decodeIngestRequest(request, limits) {
  const doc = await readJsonBody(request, limits);
  try {
    const decoded = decodeNative(doc);
    // The payload row keeps the envelope's service and resource (the decoder's records carry them).
    return { ...decoded, service: doc.service, resource: doc.resource ?? null };
  } catch (e) {
    if (e instanceof DecodeError) throw new HttpError(400, `malformed payload: ${e.message}`, e.path);
    throw e;
  }
}
