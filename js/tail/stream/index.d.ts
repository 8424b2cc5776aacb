// EXPERIMENTAL: Streaming Tail Workers (workerd / Miniflare only; not delivered in production yet).
import type { EdgescopeConfig, ExecutionContextLike, TelemetryStats } from '../../index.js';

export interface StreamingTailConfig extends EdgescopeConfig {
  /** Per watched invocation: spans open at once (the invocation span included) and spans in all. */
  streaming?: { maxOpenSpans?: number; maxSpans?: number; /** Invocations waiting for their outcome at once (default 1000); past it the oldest is ended and marked. */ maxLiveInvocations?: number };
}

export interface StreamingTailStats {
  invocations: number;
  spans: number;
  spansRefused: number;
  invocationsAbandoned: number;
  spansEndedAtOutcome: number;
  eventsUnmatched: number;
  eventsAfterOutcome: number;
  eventsIgnored: number;
  attributesRefused: number;
  onsetsRefused: number;
  droppedByPlatform: number;
  logs: number;
  logsTruncated: number;
  exceptions: number;
  idsRewritten: number;
  idsForgotten: number;
  telemetry: TelemetryStats | null;
}

/** A streaming tail event as the runtime sends it (workers-types `TailStream.TailEvent`). */
export interface StreamingTailEvent {
  readonly invocationId: string;
  readonly spanContext: { readonly traceId: string; readonly spanId?: string; readonly traceFlags?: number };
  readonly timestamp: Date | string;
  readonly sequence: number;
  readonly event: { readonly type: string; readonly [key: string]: unknown };
}

export interface StreamingTailHandler {
  /** Called with the invocation's onset event; returns the handler of its later events. */
  (event: StreamingTailEvent, env: unknown, ctx: ExecutionContextLike): (event: StreamingTailEvent) => void | Promise<void>;
  stats(): StreamingTailStats;
}

/** The `tailStream` handler of a Streaming Tail Worker (experimental). */
export function tailStreamHandler(config: StreamingTailConfig): StreamingTailHandler;
