// Types of 'edgescope/resilience' (js/entry/resilience-*.js): breakers, exhaustion registries and
// credit ledgers (README, "State across invocations"). A subpath of its own, with its own wasm
// module, so a Worker that imports only 'edgescope' does not bundle them.
import type { ExecutionContextLike, Span } from '../index.js';

/** Where a resilience object's state lives. */
export type ResilienceState =
  | 'memory'
  | { store: 'memory' }
  /** Shared by every isolate, eventually consistent: loaded once per invocation, saved (merged) in waitUntil. */
  | { store: 'kv'; namespace: KVNamespaceLike; prefix?: string; minWriteIntervalMs?: number }
  /** Owned by the package's EdgescopeState Durable Object (single writer); read from a local copy at most maxStalenessMs old (default 1000). */
  | { store: 'durable-object'; namespace: DurableObjectNamespaceLike; maxStalenessMs?: number; shard?: string };

export interface KVNamespaceLike {
  get(key: string, type: 'text'): Promise<string | null>;
  put(key: string, value: string): Promise<void>;
}

export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: any): any;
}

export type BreakerStateName = 'CLOSED' | 'OPEN' | 'HALF_OPEN' | 'DEGRADED' | 'RECOVERING';

export interface BreakerPolicy {
  /** 'classic' (CLOSED/OPEN/HALF_OPEN) or 'graduated' (a share of traffic per step of `curve`). Default 'classic'. */
  policy?: 'classic' | 'graduated';
  /** Consecutive failures that open it; 0 turns the rule off. Default 5. */
  failureThreshold?: number;
  /** Failure rate in (0, 1] over the window that opens it (with at least minimumCalls calls). */
  failureRate?: number;
  slowCallRate?: number;
  slowCallMs?: number;
  window?: { type?: 'count' | 'time'; size?: number };
  minimumCalls?: number;
  /** How long it stays open. Default 30000. */
  openMs?: number;
  openBackoff?: { multiplier?: number; maxMs?: number };
  /** Trial calls admitted when half-open (across every isolate with a Durable Object). Default 1. */
  halfOpenCalls?: number;
  halfOpenMaxWaitMs?: number;
  /** Graduated: the primary's share of traffic at each step. Default [1, 0.9, 0.7, 0.4, 0.1]. */
  curve?: number[];
  quietMs?: number;
}

export interface BreakerTransition {
  breaker: string;
  from: BreakerStateName;
  to: BreakerStateName;
  at: number;
}

export interface BreakerOptions<Env = unknown> extends BreakerPolicy {
  state?: ResilienceState | ((env: Env) => ResilienceState);
  /** How often execute() calls fn again after an error marked `.retryable` (never `.overloaded`). Default 0. */
  retries?: number;
  /** A resolved value that counts as a failure (it is still returned). */
  isFailure?: (value: unknown) => boolean;
  onTransition?: (transition: BreakerTransition) => void;
}

export interface ResilienceStats {
  store: 'memory' | 'kv' | 'durable-object' | null;
  localDecisions: number;
  roundTrips: number;
  loads: number;
  saves: number;
  storeErrors: number;
  corrupt: number;
  dropped: number;
}

export interface UseOptions {
  /** The span transitions and alerts are recorded on (default: the invocation's root span). */
  span?: Span;
}

export interface BreakerSnapshot {
  state: BreakerStateName;
  retryAfterMs: number;
  consecutiveFailures: number;
  calls: number;
  failures: number;
  step?: number;
  [field: string]: unknown;
}

export interface ApplyResult {
  /** false when the store could not take it yet (counted, logged); `queued`: sent with the next round trip. */
  applied: boolean;
  queued?: boolean;
  error?: string;
}

export interface InvocationBreaker {
  /** Refused → CircuitOpenError (fn does not run). A throw or rejection counts as a failure and is rethrown. */
  execute<T>(fn: () => T | Promise<T>): Promise<T>;
  /** fallback(error) when refused or when primary fails. */
  executeWithFallback<T, F>(primary: () => T | Promise<T>, fallback: (error: unknown) => F | Promise<F>): Promise<T | F>;
  state(): Promise<BreakerSnapshot>;
  forceOpen(): Promise<ApplyResult & { transitions?: Array<Omit<BreakerTransition, 'breaker'>> }>;
  reset(): Promise<ApplyResult & { transitions?: Array<Omit<BreakerTransition, 'breaker'>> }>;
}

export interface Breaker<Env = unknown> {
  readonly name: string;
  /** Binds the breaker to an invocation (its ctx carries KV saves and Durable Object batches in waitUntil). */
  use(env?: Env, ctx?: ExecutionContextLike, options?: UseOptions): InvocationBreaker;
  stats(): ResilienceStats;
}

export function createBreaker<Env = unknown>(name: string, options?: BreakerOptions<Env>): Breaker<Env>;

export class CircuitOpenError extends Error {
  readonly name: 'CircuitOpenError';
  readonly breaker: string;
  readonly state: BreakerStateName;
  /** Milliseconds until the breaker admits a call again (0: when a running trial call succeeds). */
  readonly retryAfter: number;
}

export interface LedgerPolicy {
  /** monthly: in currency units (spendMicros are millionths of it). provider omitted: every provider. */
  budgets?: Array<{ provider?: string; monthly: number }>;
  thresholds?: number[];
  depletionDays?: number[];
  limits?: Array<{ provider?: string; perMinute?: { requests?: number; tokens?: number }; perDay?: { requests?: number; tokens?: number } }>;
}

export interface LedgerAlert {
  ledger: string;
  kind: 'budget' | 'depletion';
  provider: string;
  tier: number;
  [field: string]: unknown;
}

export interface LedgerOptions<Env = unknown> extends LedgerPolicy {
  state?: ResilienceState | ((env: Env) => ResilienceState);
  onAlert?: (alert: LedgerAlert) => void;
}

export interface LedgerEntry {
  provider: string;
  model?: string;
  /** Integer millionths of the budget's currency: sums are exact. */
  spendMicros?: number;
  inputTokens?: number;
  outputTokens?: number;
  /** Default 1. */
  requests?: number;
}

export interface InvocationLedger {
  record(entry: LedgerEntry): Promise<ApplyResult & { alerts: Array<Omit<LedgerAlert, 'ledger'>> }>;
  check(request: { provider: string; model?: string; requests?: number; tokens?: number }): Promise<{ allowed: boolean; reason: string; retryAfterMs: number; [field: string]: unknown }>;
  status(): Promise<Record<string, unknown>>;
}

export interface Ledger<Env = unknown> {
  readonly name: string;
  use(env?: Env, ctx?: ExecutionContextLike, options?: UseOptions): InvocationLedger;
  stats(): ResilienceStats;
}

export function createLedger<Env = unknown>(name: string, options?: LedgerOptions<Env>): Ledger<Env>;

export interface InvocationRegistry {
  /** durationMs: default the registry's defaultMs (5 minutes). */
  markExhausted(provider: string, durationMs?: number): Promise<ApplyResult>;
  isExhausted(provider: string): Promise<boolean>;
  /** When the mark expires (ms since the epoch), 0 when not marked. */
  exhaustedUntil(provider: string): Promise<number>;
  list(): Promise<Array<{ provider: string; untilMs: number }>>;
}

export interface ExhaustionRegistry<Env = unknown> {
  readonly name: string;
  use(env?: Env, ctx?: ExecutionContextLike, options?: UseOptions): InvocationRegistry;
  stats(): ResilienceStats;
}

export function createExhaustionRegistry<Env = unknown>(
  name: string,
  options?: { defaultMs?: number; state?: ResilienceState | ((env: Env) => ResilienceState) },
): ExhaustionRegistry<Env>;
