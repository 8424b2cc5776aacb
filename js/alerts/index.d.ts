// Types of 'edgescope/alerts' (js/entry/alerts-*.js): alert channels, severity routing and
// fleet-wide de-duplication (README, "Alerts, once per fleet"). A subpath of its own, so a Worker
// that does not alert bundles none of it.

export type Severity = 'CRITICAL' | 'WARNING' | 'INFO';

/** One classified error of an invocation (what the classifier puts on scope.errorRecords). */
export interface ErrorRecord {
  fingerprint: string;
  severity: Severity;
  category: string;
  type: string;
  message: string;
  normalizedMessage?: string;
  stack?: string | null;
  status?: number | null;
  route?: string | null;
  spanName?: string | null;
  traceId?: string | null;
  spanId?: string | null;
  source?: 'exception' | 'response' | 'log';
  /** Escalate to `severity` once the fleet saw `count` occurrences within `windowMs`. */
  repeated?: { count: number; windowMs: number; severity: Severity } | null;
  time?: number;
}

/** What every channel's payload carries. */
export interface AlertFields {
  severity: Severity;
  category: string;
  type: string;
  fingerprint: string;
  service: string;
  version: string | null;
  route: string | null;
  status: number | null;
  source: string | null;
  message: string;
  stack: string | null;
  traceId: string | null;
  spanId: string | null;
  /** traceLink with {traceId} and {spanId} filled in. */
  link: string | null;
  /** ISO 8601. */
  time: string;
  /** Occurrences of this error in the invocation that alerts. */
  occurrences: number;
  /** Occurrences held back by this channel's cooldown since its last alert for this error. */
  suppressed: number;
  /** The fleet-wide count within the record's `repeated` window, when it has one. */
  fleetOccurrences: number | null;
}

interface DeliveryOptions {
  /** Per attempt. Default 5000. */
  timeoutMs?: number;
  /** Retries of a 429, 502, 503, 504 or lost request. Default 2. */
  retries?: number;
  fetch?: typeof fetch;
}

export interface AlertChannel {
  readonly kind: 'slack' | 'pagerduty' | 'webhook' | 'email';
}

export function slack(options: { webhookUrl: string } & DeliveryOptions): AlertChannel;
/** Events API v2. `url` defaults to https://events.pagerduty.com/v2/enqueue (EU: https://events.eu.pagerduty.com/v2/enqueue). */
export function pagerDuty(options: { routingKey: string; source?: string; url?: string } & DeliveryOptions): AlertChannel;
/** JSON POST; with `secret` (>= 32 bytes) signed: x-edgescope-signature: v1=<hex HMAC-SHA256(secret, `${x-edgescope-timestamp}.${body}`)>. */
export function webhook(options: { url: string; secret?: string; headers?: Record<string, string> } & DeliveryOptions): AlertChannel;
/** Through a send_email binding; one message per recipient. */
export function email(options: { binding: { send(message: unknown): Promise<unknown> }; from: string; to: string | string[] }): AlertChannel;

export const SIGNATURE_HEADER: 'x-edgescope-signature';
export const TIMESTAMP_HEADER: 'x-edgescope-timestamp';

export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: any): any;
}

export interface KVNamespaceLike {
  get(key: string, type: 'text'): Promise<string | null>;
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
}

export interface AlertsOptions<C extends Record<string, AlertChannel> = Record<string, AlertChannel>> {
  service: string;
  version?: string;
  channels: C;
  /** Channel names per severity. Default: CRITICAL every channel, WARNING slack and webhook channels, INFO none. */
  routes?: Partial<Record<Severity, Array<Extract<keyof C, string>>>>;
  /** One alert per error per channel per cooldown, fleet-wide. Default 3600000 (1 hour). */
  cooldownMs?: number;
  /**
   * Where the fleet-wide de-duplication lives: the package's EdgescopeState Durable Object (strong;
   * `name` default `alerts:<service>`), or KV (a few duplicates possible across colos; `prefix`
   * default `edgescope:alerts:<service>:`).
   */
  state: { store: 'durable-object'; namespace: DurableObjectNamespaceLike; name?: string } | { store: 'kv'; namespace: KVNamespaceLike; prefix?: string };
  /** A URL template with {traceId} (and optionally {spanId}). */
  traceLink?: string;
  /** Time for one invocation's deliveries. Default 10000. */
  deadlineMs?: number;
  /** Delivery requests (retries included) per invocation. Default 10. */
  maxSubrequests?: number;
}

export interface DeliveryResult {
  ok: boolean;
  status: number;
  cause?: string;
  error?: string;
  attempts: number;
}

export interface AlertsStats {
  records: number;
  invalidRecords: number;
  overflow: number;
  unrouted: number;
  stateFailures: number;
  evicted: number;
  mismatched: number;
  resolved: number;
  released: number;
  sent: Record<string, number>;
  failed: Record<string, number>;
  suppressed: Record<string, number>;
}

export interface InvocationLike {
  ctx: { waitUntil(promise: Promise<unknown>): void };
}

export type Settle = (occurrences: Map<string, number>) => ErrorRecord[] | void;

export interface Alerts {
  /** Resolves the PagerDuty alert of an error on every pagerDuty channel, then releases its cooldown on every channel so its next occurrence alerts again; hand the promise to ctx.waitUntil. Never rejects. */
  resolve(fingerprint: string): Promise<Record<string, DeliveryResult>>;
  alertInvocation(scope: InvocationLike, records: ErrorRecord[], options?: { settle?: Settle }): Promise<unknown>;
  stats(): AlertsStats;
}

export function createAlerts<C extends Record<string, AlertChannel>>(options: AlertsOptions<C>): Alerts;
export function isAlerts(value: unknown): value is Alerts;
/** The alerts of one invocation, handed to scope.ctx.waitUntil. Never rejects. */
export function alertInvocation(alerts: Alerts, scope: InvocationLike, records: ErrorRecord[], options?: { settle?: Settle }): Promise<unknown>;
