// The public API, platform-free. Runtime entries (js/entry/*.js) provide the wasm module first.
export { instrument } from './instrument.js';
export { scopeOf } from './invocation-scope.js';
export { createTelemetry, Telemetry } from './telemetry.js';
export { exporters } from './exporters/index.js';
export { EdgescopeConfigError, validateConfig } from './config.js';
export { Span } from './span.js';
export { stores, BufferStoreError } from './storage/index.js';
export { BufferEntryError } from './core/buffer-core.js';
export { instrumentDurableObject } from './entrypoints/durable-object.js';
export { instrumentEntrypoint } from './entrypoints/worker-entrypoint.js';
