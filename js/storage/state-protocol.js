// The one message EdgescopeState understands: `{ v: 1, feature, op, args }`. Checked in full
// before any storage is touched, so a request from another version of edgescope, a typo or a
// hostile caller gets an Error naming the problem and changes nothing.
import { describe } from '../config.js';
import { isPlainObject } from './buffer-input.js';

export const STATE_PROTOCOL_VERSION = 1;
const MESSAGE_FIELDS = ['v', 'feature', 'op', 'args'];

// Returns { name, feature, op, args } with args already parsed by the op.
export function parseStateMessage(message, features) {
  if (!isPlainObject(message)) {
    throw new TypeError(`edgescope state: a request must be an object { v: ${STATE_PROTOCOL_VERSION}, feature, op, args } (got ${describe(message)})`);
  }
  for (const key of Object.keys(message)) {
    if (!MESSAGE_FIELDS.includes(key)) throw new TypeError(`edgescope state: a request has an unknown field ${describe(key)} (known: ${MESSAGE_FIELDS.join(', ')})`);
  }
  if (message.v !== STATE_PROTOCOL_VERSION) {
    throw new TypeError(`edgescope state: request protocol version ${describe(message.v)} is not supported (this EdgescopeState speaks ${STATE_PROTOCOL_VERSION}; deploy the same edgescope version in the caller and the object's Worker)`);
  }
  const name = message.feature;
  if (typeof name !== 'string' || !Object.hasOwn(features, name)) {
    throw new TypeError(`edgescope state: unknown feature ${describe(name)} (known: ${Object.keys(features).join(', ')})`);
  }
  const feature = features[name];
  if (typeof message.op !== 'string' || !Object.hasOwn(feature.ops, message.op)) {
    throw new TypeError(`edgescope state: unknown op ${describe(message.op)} for feature ${name} (known: ${Object.keys(feature.ops).join(', ')})`);
  }
  const op = feature.ops[message.op];
  return { name, feature, op, args: op.parse(message.args) };
}
