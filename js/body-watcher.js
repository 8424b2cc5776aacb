// Watches a Response body as it is delivered and calls onEnd once: 'complete' after the runtime
// has taken the last chunk, 'cancelled' when the client went away, 'error' when the
// handler's own stream failed. Request state is read only then (DESIGN.md section 3, step 3):
// reading it earlier is how streamed responses end up recorded with nothing in them.
//
// In workerd the body is piped into an IdentityTransformStream (or a FixedLengthStream when
// Content-Length is known, so the client gets the same framing): native-to-native pipes are pumped
// by the runtime without running JavaScript per chunk, and the pipe settles only once the reader
// has taken everything, because these streams do not buffer. Elsewhere (Node) a TransformStream.
export function watchBody(response, onEnd) {
  const pass = passThroughFor(response);
  const source = response.body;
  source.pipeTo(pass.writable).then(
    () => onEnd('complete'),
    (error) => {
      // The pipe has released the source. A client cancel made the pipe cancel the source, which
      // leaves it closed; a failure of the handler's own stream leaves it errored.
      source
        .getReader()
        .closed.then(
          () => onEnd('cancelled', error),
          () => onEnd('error', error),
        );
    },
  );
  return new Response(pass.readable, response);
}

function passThroughFor(response) {
  const length = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isSafeInteger(length) && length >= 0 && typeof globalThis.FixedLengthStream === 'function') {
    return new globalThis.FixedLengthStream(length);
  }
  if (typeof globalThis.IdentityTransformStream === 'function') return new globalThis.IdentityTransformStream();
  return new TransformStream();
}
