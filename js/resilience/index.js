// The resilience API: breakers, exhaustion registries and credit ledgers whose state can outlive
// the isolate (memory, KV, or the package's Durable Object). README, "State across invocations".
export { createBreaker } from './breaker.js';
export { createLedger } from './ledger.js';
export { createExhaustionRegistry } from './registry.js';
export { CircuitOpenError } from './errors.js';
