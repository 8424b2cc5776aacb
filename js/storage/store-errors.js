// A store that cannot do its job at all (KV list failing, the Durable Object unreachable or
// refusing the request, a table written by a newer schema). A single bad entry never throws: it
// is reported in the operation's result (corrupt, vanished, failures) and the rest carries on.
export class BufferStoreError extends Error {
  constructor(kind, op, message, options) {
    super(`edgescope buffer (${kind}): ${op} failed: ${message}`, options);
    this.name = 'BufferStoreError';
    this.kind = kind;
    this.op = op;
  }
}

// A bounded one-line description of anything thrown (error messages from storage can be long).
export function describeError(error) {
  const text = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
  return text.length > 500 ? `${text.slice(0, 500)}...` : text;
}
