// The one error the decoders throw for a payload that is not what its format promises. `path` is
// the JSON path of the offending value (`$.resourceSpans[0].scopeSpans[0].spans[1].traceId`), so a
// test failure or a collector's 400 says exactly where an encoder went wrong.
export class DecodeError extends Error {
  constructor(path, problem) {
    super(`${path}: ${problem}`);
    this.name = 'DecodeError';
    this.path = path;
  }
}

// A short, unambiguous rendering of a bad value for an error message.
export function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 48 ? `${value.slice(0, 48)}…` : value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
