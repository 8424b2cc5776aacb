// Watches a Response body as it is delivered and calls onEnd exactly once: 'complete' after the
// runtime has pulled the last chunk, 'cancelled' when the client went away (the runtime cancels
// the body), 'error' when the handler's own stream failed. Request state is read only then
// (DESIGN.md section 3, step 3): reading it earlier is how streamed responses end up recorded
// with nothing in them.
export function watchBody(response, onEnd) {
  let ended = false;
  const end = (outcome, error) => {
    if (ended) return;
    ended = true;
    onEnd(outcome, error);
  };
  const reader = response.body.getReader();
  // A pull-based pass-through: nothing is buffered beyond what the runtime asks for.
  const watched = new ReadableStream(
    {
      async pull(controller) {
        let chunk;
        try {
          chunk = await reader.read();
        } catch (error) {
          controller.error(error);
          end('error', error);
          return;
        }
        if (chunk.done) {
          controller.close();
          end('complete');
        } else {
          controller.enqueue(chunk.value);
        }
      },
      cancel(reason) {
        end('cancelled', reason);
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  const length = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isSafeInteger(length) && length >= 0 && typeof globalThis.FixedLengthStream === 'function') {
    // workerd's FixedLengthStream keeps Content-Length on the wire, so the client gets the same
    // framing it would get without instrumentation.
    const fixed = new globalThis.FixedLengthStream(length);
    watched.pipeTo(fixed.writable).catch(() => {}); // outcome already reported through end()
    return new Response(fixed.readable, response);
  }
  return new Response(watched, response);
}
