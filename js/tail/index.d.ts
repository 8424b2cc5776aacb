// Types of 'edgescope/tail' (js/entry/tail-*.js): a Tail Worker that turns the watched Workers'
// TraceItems into edgescope's records (README, "Tail Workers").
import type { EdgescopeConfig } from '../index.js';

export { exporters } from '../index.js';

/** edgescope's config, with `service` optional, plus the keys only the tail mode has. */
export interface TailConfig extends Omit<EdgescopeConfig, 'service'> {
  /** service.name of items whose scriptName is null (local development, some event kinds). Default 'unknown_service'. */
  service?: string;
  /** Read the unredacted request headers (TraceItem request.getUnredacted()) for an incoming traceparent. Default false. */
  readHeaders?: boolean;
  /** Watched services (script name and version) kept at once in the isolate, least recently seen evicted first. 1..64, default 16. */
  maxServices?: number;
}

/** The part of a TraceItem (Cloudflare Workers Tail Workers) the tail mode reads. */
export interface TailTraceItem {
  scriptName: string | null;
  scriptVersion?: { id: string; tag?: string; message?: string };
  entrypoint?: string;
  durableObjectId?: string;
  dispatchNamespace?: string;
  outcome: string;
  eventTimestamp: number | null;
  cpuTime: number;
  wallTime: number;
  truncated: boolean;
  event: object | null;
  logs: Array<{ timestamp: number; level: string; message: unknown; errorInfo?: Array<{ name: string; message: string; stack?: string } | null> }>;
  exceptions: Array<{ timestamp: number; name: string; message: string; stack?: string }>;
  diagnosticsChannelEvents?: unknown[];
}

export interface TailHandler {
  /** Records every item; settles and flushes them inside ctx.waitUntil. The promise never rejects. */
  tail(events: TailTraceItem[], env: unknown, ctx: { waitUntil(promise: Promise<unknown>): void }): Promise<void>;
}

export interface TailStats {
  /** Items recorded. */
  items: number;
  /** Items that could not be recorded (not an object, or a failure reading them); each logged once per isolate. */
  itemsRefused: number;
  /** Items the platform marked truncated. */
  truncated: number;
  /** Services flushed and dropped from memory past maxServices. */
  servicesEvicted: number;
  /** Services held now. */
  services: number;
}

/** `export default tailWorker(config)`: the Tail Worker's handler. A config object is validated at once. */
export function tailWorker(config: TailConfig | ((env: any) => TailConfig)): TailHandler;
/** What the handler counted since its isolate started. */
export function tailStats(handler: TailHandler): TailStats;

/** EXPERIMENTAL: a Streaming Tail Worker's `tailStream` handler (js/tail/stream/). */
export { tailStreamHandler } from './stream/index.js';
