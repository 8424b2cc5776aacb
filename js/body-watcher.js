// Watches a Response body as it is delivered and calls onEnd(outcome, error) once, without
// changing what the client receives: status, headers, framing (Content-Length or chunked),
// Content-Encoding and body bytes stay the runtime's own decision (ARCHITECTURE.md, "The body
// watcher"). Request state is read only then: reading it earlier is how streamed responses end
// up recorded with nothing in them.
//
// How workerd frames a returned body (src/workerd/api/http.c++, Response::send): it sends
// Content-Length only when the body *stream* knows its length (`tryGetLength`: strings, bytes, a
// FixedLengthStream, a fetched or cached body of known length) and never trusts a Content-Length
// header; with `Content-Encoding: gzip|br` and encodeBody 'automatic' it passes an already
// encoded source through untouched and compresses anything else. Both facts live inside the
// stream, invisible to JavaScript, so any stream we put in between (even a FixedLengthStream
// sized from the header) changes the decision: a proxied gzip body was re-compressed or cut, a
// string lost its Content-Length.
//
// `tee()` is the one operation that keeps them: workerd tees the source below the encoding layer
// and each branch keeps the source's length and encoding (measured: a proxied gzip body keeps its
// Content-Length and its exact bytes). The client gets one branch inside a Response built from the
// handler's own (same status, status text, headers, encodeBody, webSocket); we read the other one
// to the end. Two cases need more care:
//   - A live stream (a handler still writing, Server-Sent Events) must stop when the client goes
//     away, which a tee cannot tell us: its other branch keeps reading. Such a body has no known
//     length and no encoding of its own, so the runtime frames it chunked anyway, and a relay
//     stream is transparent for it and propagates the client's cancel to the source.
//   - We cannot ask a stream whether it is live. So we peek: the watched branch is read for a few
//     event-loop turns before the Response is returned. A body held in memory is read to its end in
//     that time; anything still pending after a turn without progress is treated as live unless the
//     handler declared its framing (a Content-Length or Content-Encoding header: a finite body the
//     runtime may send with a length or as encoded bytes), which keeps the tee. Such a body is
//     peeked all the same: skipping the peek measured 0.18 ms more CPU per proxied 64 KiB body
//     (bench/workerd-overhead.mjs, KIND=proxy, side by side in one run).
const PEEK_MAX_TURNS = 32;
const PEEK_MAX_BYTES = 8 * 1024 * 1024;
// A teed body is read at the origin's pace; the client's branch holds what the client has not
// taken yet. Past this many bytes we stop watching (the outcome is 'detached'), which bounds what
// the isolate buffers for a slow client to this figure.
export const MAX_WATCHED_BYTES = 32 * 1024 * 1024;

// onEnd(outcome, error, bytes): `bytes` is how many body bytes were delivered (read to the end of
// the watched branch, or handed to the runtime by the relay) when the outcome was decided.
// Returns a Promise of the Response to hand to the runtime. `request` is the incoming request:
//   - its AbortSignal (`request.signal`; or `signal`, when given) fires, with the
//     `enable_request_signal` compatibility flag, when the client goes away, which lets a teed body
//     report 'cancelled' and release its source. It is read only for a body still running after
//     the peek (its `aborted` is checked then, so a client that left during the peek is seen): a
//     body held in memory (the common case) never needs it, and each read is a call into the
//     runtime.
//   - a handler that echoes its body (`new Response(request.body)`) hands the runtime a stream
//     whose length it knows from the request's Content-Length, however slowly the bytes are still
//     arriving, so that body keeps the tee (and its length) without peeking.
export async function watchBody(response, onEnd, { signal, request } = {}) {
  // The client gets its branch of the body in a new Response, and Response's constructor takes
  // only a status from 200 to 599 (Fetch standard, "Response constructor": a RangeError otherwise;
  // workerd the same). A fetched response can carry any status an origin sends (999, 600), which
  // the runtime passes through as it is: such a response is returned untouched and unwatched,
  // because once its body is teed it could be neither rebuilt nor returned.
  if (response.status < 200 || response.status > 599) {
    onEnd('unwatched', null);
    return response;
  }
  const body = response.body;
  const echoedWithLength = request != null && body === request.body && request.headers.has('content-length');
  let branches;
  try {
    branches = body.tee();
  } catch (error) {
    // A locked or disturbed body: the runtime will reject it exactly as it would without us.
    onEnd('unwatched', error);
    return response;
  }
  const [client, watched] = branches;
  const drain = new WatchedBranch(watched);
  const signalOf = () => signal ?? request?.signal;
  if (!echoedWithLength) await drain.peek();
  // A body that declares its framing keeps the tee whatever a peek sees (see the peek above); its
  // headers are read only for a body the peek did not see to its end.
  if (drain.settled || echoedWithLength || declaresFraming(response.headers)) {
    drain.finish(onEnd, drain.settled ? null : signalOf());
    return rebuild(response, client);
  }
  drain.abandon();
  return pipeLive(response, client, onEnd, signalOf());
}

// Reads the watched branch to its end, counting bytes, without keeping them.
class WatchedBranch {
  constructor(stream) {
    this.reader = stream.getReader();
    this.bytes = 0;
    this.settled = null; // { outcome, error }
    this.done = this.pump();
  }

  async pump() {
    try {
      for (;;) {
        const { done, value } = await this.reader.read();
        if (done) return this.settle('complete');
        this.bytes += value?.byteLength ?? 0;
        if (this.bytes > MAX_WATCHED_BYTES && !this.peeking) {
          this.reader.cancel().catch(() => {});
          return this.settle('detached');
        }
      }
    } catch (error) {
      return this.settle(this.cancelled ? 'cancelled' : 'error', error);
    }
  }

  settle(outcome, error) {
    if (!this.settled) this.settled = { outcome: this.cancelled ? 'cancelled' : outcome, error };
    return this.settled;
  }

  // Lets the body run for up to PEEK_MAX_TURNS macrotasks, stopping at the first turn without
  // progress: an in-memory body finishes, a live one stalls on its producer's I/O.
  async peek() {
    this.peeking = true;
    let seen = -1;
    for (let turn = 0; turn < PEEK_MAX_TURNS && !this.settled; turn++) {
      if (this.bytes === seen || this.bytes > PEEK_MAX_BYTES) break;
      seen = this.bytes;
      await nextTurn();
    }
    this.peeking = false;
  }

  finish(onEnd, signal) {
    if (signal && !this.settled) {
      const onAbort = () => {
        this.cancelled = true;
        this.reader.cancel(signal.reason).catch(() => {});
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      this.done.finally(() => signal.removeEventListener('abort', onAbort));
    }
    this.done.then(({ outcome, error }) => onEnd(outcome, error, this.bytes));
  }

  // The client's branch carries on alone (a tee releases its source only when both branches are
  // cancelled, so the client's cancel now reaches the source again).
  abandon() {
    this.reader.cancel().catch(() => {});
  }
}

function declaresFraming(headers) {
  if (headers.has('content-length')) return true;
  const encoding = headers.get('content-encoding');
  return encoding !== null && encoding.trim().toLowerCase() !== 'identity' && encoding.trim() !== '';
}

// A Response over `body` that is otherwise the handler's: status, statusText, headers, webSocket,
// cf and encodeBody carry over from a Response given as the init (Fetch standard "initialize a
// response", and workerd's Response constructor for its extensions).
function rebuild(response, body) {
  return new Response(body, response);
}

// A live body is relayed chunk by chunk as the runtime pulls (so backpressure is the client's),
// through a stream whose cancel we see: that is how a client leaving is told apart from the body
// failing (both surface as the same "Network connection lost" error on a pipe), and the cancel is
// passed on to the source exactly as the runtime would have.
// The relay's cancel is how the runtime says the client left. workerd 1.20260619.1 and later do
// not cancel a JavaScript response stream on disconnect (cloudflare/workerd#6832), for any
// Worker; `request.signal` (compatibility flag enable_request_signal) still fires, so when it is
// there the relay cancels its source itself, as the runtime did before.
function pipeLive(response, source, onEnd, signal) {
  const reader = source.getReader();
  let ended = false;
  let bytes = 0; // handed to the runtime so far
  const end = (outcome, error) => {
    if (ended) return;
    ended = true;
    signal?.removeEventListener('abort', onAbort);
    onEnd(outcome, error, bytes);
  };
  const onAbort = () => {
    if (ended) return;
    end('cancelled', signal.reason);
    reader.cancel(signal.reason).catch(() => {});
  };
  if (signal?.aborted) queueMicrotask(onAbort);
  else signal?.addEventListener('abort', onAbort, { once: true });
  const relay = new ReadableStream({
    async pull(controller) {
      let chunk;
      try {
        chunk = await reader.read();
      } catch (error) {
        end('error', error);
        controller.error(error);
        return;
      }
      if (chunk.done) {
        controller.close();
        end('complete');
      } else {
        bytes += chunk.value?.byteLength ?? 0;
        controller.enqueue(chunk.value);
      }
    },
    cancel(reason) {
      end('cancelled', reason);
      return reader.cancel(reason);
    },
  });
  return rebuild(response, relay);
}

function nextTurn() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
