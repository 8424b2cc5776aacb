// Storage adapters for the offline buffer. Platform-free: the Durable Object class itself
// (state-object.js, which imports 'cloudflare:workers') is only reachable from the Worker entry.
import { durableObject } from './durable-object-store.js';
import { kv } from './kv-store.js';
import { memory } from './memory-store.js';

export const stores = Object.freeze({ memory, kv, durableObject });
export { BufferStoreError } from './store-errors.js';
