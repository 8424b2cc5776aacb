// EXPERIMENTAL. How the platform's streaming tail events (workerd TailStream.* types, in
// @cloudflare/workers-types) map to span names, kinds, attributes and log records.

// TailStream.Attribute values may be bigint (or bigint[]), which the core does not take: a safe
// integer becomes a number, a larger one its decimal string.
function plainValue(value) {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : String(value);
  if (Array.isArray(value)) return value.map(plainValue);
  return value;
}

// The runtime sends some integer attributes as decimal strings ("200"). OpenTelemetry's semantic
// conventions type status codes, sizes and counts as int (e.g. http.response.status_code,
// http.response.body.size), and edgescope's own spans record them so: such a value becomes a number.
const INTEGER_KEY = /(\.status_code|\.size|\.count)$/;
const DECIMAL = /^-?\d{1,15}$/;

// [{ name, value }] -> { name: value }; entries without a string name are skipped and counted.
export function attributesOf(list, stats) {
  const out = {};
  if (!Array.isArray(list)) return out;
  for (const entry of list) {
    if (!entry || typeof entry.name !== 'string' || entry.name === '') {
      stats.attributesRefused++;
      continue;
    }
    const value = plainValue(entry.value);
    out[entry.name] = typeof value === 'string' && INTEGER_KEY.test(entry.name) && DECIMAL.test(value) ? Number(value) : value;
  }
  return out;
}

// The invocation (onset) span: name, kind and attributes from its event info, with OpenTelemetry
// semantic-convention names where one exists (HTTP server, messaging, FaaS trigger).
export function onsetSpan(onset) {
  const info = onset.info ?? {};
  const attributes = { 'faas.trigger': 'other', 'cloudflare.tail.event': String(info.type ?? 'unknown') };
  if (typeof onset.scriptName === 'string') attributes['cloudflare.script_name'] = onset.scriptName;
  if (typeof onset.scriptVersion?.id === 'string') attributes['cloudflare.script_version.id'] = onset.scriptVersion.id;
  if (typeof onset.entrypoint === 'string') attributes['cloudflare.entrypoint'] = onset.entrypoint;
  if (typeof onset.durableObjectId === 'string') attributes['cloudflare.durable_object.id'] = onset.durableObjectId;
  if (typeof onset.executionModel === 'string') attributes['cloudflare.execution_model'] = onset.executionModel;
  Object.assign(attributes, attributesOf(onset.attributes, { attributesRefused: 0 }));
  switch (info.type) {
    case 'fetch': {
      attributes['faas.trigger'] = 'http';
      attributes['http.request.method'] = String(info.method ?? '');
      try {
        const url = new URL(info.url);
        // Without the query string, as the classic tail and instrument() record it: a query may
        // carry tokens that redaction does not know by name.
        attributes['url.full'] = `${url.origin}${url.pathname}`;
        attributes['url.path'] = url.pathname;
        attributes['server.address'] = url.hostname;
      } catch {
        attributes['url.full'] = String(info.url ?? '').split('?')[0];
      }
      return { name: String(info.method ?? 'fetch'), kind: 'server', attributes };
    }
    case 'jsrpc':
      return { name: 'jsrpc', kind: 'server', attributes };
    case 'scheduled':
      attributes['faas.trigger'] = 'timer';
      if (typeof info.cron === 'string') attributes['faas.cron'] = info.cron;
      return { name: 'scheduled', kind: 'internal', attributes };
    case 'alarm':
      attributes['faas.trigger'] = 'timer';
      return { name: 'alarm', kind: 'internal', attributes };
    case 'queue':
      attributes['faas.trigger'] = 'pubsub';
      attributes['messaging.system'] = 'cloudflare_queues';
      attributes['messaging.operation.type'] = 'process';
      if (typeof info.queueName === 'string') attributes['messaging.destination.name'] = info.queueName;
      if (typeof info.batchSize === 'number') attributes['messaging.batch.message_count'] = info.batchSize;
      return { name: `process ${info.queueName ?? 'queue'}`, kind: 'consumer', attributes };
    default:
      return { name: String(info.type ?? 'invocation'), kind: 'server', attributes };
  }
}

// The automatic spans the runtime opens for outbound work are calls out of the Worker: CLIENT
// (OpenTelemetry: a span describing a request to a remote service). Custom spans and anything
// else are INTERNAL.
const CLIENT_SPANS = /^(fetch|jsRpcSession|kv_|r2_|d1_|queue_|durable_object_|cache_|service_binding)/;

export function childKind(name) {
  return CLIENT_SPANS.test(name) ? 'client' : 'internal';
}

// TailStream.Log levels -> the logger's levels (console.log is info).
export const LOG_LEVELS = Object.freeze({ debug: 'debug', log: 'info', info: 'info', warn: 'warn', error: 'error' });

// A console call's arguments as one message: strings as they are, anything else as JSON.
export function logText(message) {
  if (typeof message === 'string') return message;
  const parts = Array.isArray(message) ? message : [message];
  return parts
    .map((part) => {
      if (typeof part === 'string') return part;
      try {
        return JSON.stringify(part) ?? String(part);
      } catch {
        return String(part);
      }
    })
    .join(' ');
}

// An event's time: TailEvent.timestamp is a Date in the Worker, an ISO string in recorded JSON.
export function timeOf(event) {
  const ms = new Date(event?.timestamp).getTime();
  return Number.isFinite(ms) ? ms : Date.now();
}
