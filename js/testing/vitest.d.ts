// edgescope/testing/vitest: assert on a Worker's telemetry from Vitest tests that run in workerd
// (@cloudflare/vitest-pool-workers). `provideCollector` runs in Node (a globalSetup file);
// `collector` runs in the tests.
import type { CapturedLog, CapturedMetric, CapturedSpan, Collector, startCollector } from './index.js';

/** What provideCollector provides to the project under `edgescopeCollector`. */
export interface CollectorUrls {
  url: string;
  /** Native ingest endpoint (`exporters.http({ url })`). */
  nativeUrl: string;
  /** OTLP base URL (`exporters.http({ url, format: 'otlp-json' })` or `format: 'otlp-proto'`). */
  otlpUrl: string;
  /** The control server the in-test `collector` talks to. */
  controlUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    edgescopeCollector: CollectorUrls;
  }
}

export const PROVIDED_KEY: 'edgescopeCollector';

/**
 * In a Vitest globalSetup file: starts the capture collector and its control server and provides
 * their URLs as `edgescopeCollector`. Returns the teardown. Usage:
 * `export default (project) => provideCollector(project);`
 */
export function provideCollector(
  project: { provide(key: 'edgescopeCollector', value: CollectorUrls): void },
  options?: Parameters<typeof startCollector>[0],
): Promise<() => Promise<void>>;

/** What the collector had received when the snapshot was taken. */
export interface CollectorSnapshot {
  spans: CapturedSpan[];
  metrics: CapturedMetric[];
  logs: CapturedLog[];
  payloads: Collector['payloads'];
  rejected: Collector['rejected'];
  requests: number;
  batchIds: string[];
  duplicates: Collector['duplicates'];
  /** e.g. "2 spans, 2 metrics, 1 logs in 3 payloads (0 rejected, 0 duplicate)" */
  summary: string;
}

/** The collector as seen from a test running in workerd. Every method talks to the collector over fetch. */
export const collector: {
  urls(): Promise<CollectorUrls>;
  snapshot(): Promise<CollectorSnapshot>;
  /**
   * Resolves with the first snapshot for which `predicate` is true (a throw counts as false);
   * rejects after `timeoutMs` (default 4000, below Vitest's default 5 s test timeout) with what had
   * arrived, the refused payloads and the predicate's last error.
   */
  waitFor(predicate: (snapshot: CollectorSnapshot) => boolean, options?: { timeoutMs?: number }): Promise<CollectorSnapshot>;
  clear(): Promise<void>;
  failNext(status: number, options?: { times?: number; body?: string; headers?: Record<string, string> }): Promise<void>;
  failAlways(status: number, options?: { body?: string; headers?: Record<string, string> }): Promise<void>;
  acceptThenDrop(options?: { times?: number }): Promise<void>;
  partialSuccess(options: { rejected: number; message?: string; times?: number }): Promise<void>;
  recover(): Promise<void>;
};

/** The wire form between the two halves: JSON keeping bigint, Uint8Array and non-finite numbers. */
export function encodeRecords(value: unknown): string;
export function decodeRecords(text: string): unknown;
