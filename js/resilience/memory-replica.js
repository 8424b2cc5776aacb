// state: 'memory' — the object lives in this isolate only: a new isolate (a deployment, an
// eviction, another location) starts from nothing. Right for tests and for state that is cheap to
// rebuild; the README's "State across invocations" says when to use KV or the Durable Object.
import { Replica } from './replica.js';

export class MemoryReplica extends Replica {}
