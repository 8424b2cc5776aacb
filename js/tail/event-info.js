// What a TraceItem's `event` says, as the root span's name, kind and semantic-convention attributes.
// The TraceItem carries no event type field: the shape tells (@cloudflare/workers-types
// TraceItem*EventInfo): request → fetch, rpcMethod → RPC (a WorkerEntrypoint or Durable Object
// method), cron → scheduled, queue + batchSize → queue, mailFrom → email, consumedEvents → tail,
// getWebSocketEvent → hibernatable WebSocket, scheduledTime alone → alarm. Names, kinds and
// attributes are those instrument() gives the same events (js/instrument.js,
// js/entrypoints/class-handlers.js, js/entrypoints/run-rpc.js).
import { ATTR } from '../http-attributes.js';
import { RPC_SYSTEM } from '../bindings/rpc-span.js';

// { type, name, kind, attributes, method?, status?, request? }
export function eventInfo(item) {
  const event = item.event;
  if (event && typeof event === 'object') {
    if (event.request && typeof event.request === 'object') return fetchInfo(event);
    if (typeof event.rpcMethod === 'string') return rpcInfo(item, event.rpcMethod);
    if (typeof event.cron === 'string') {
      return { type: 'scheduled', name: `scheduled ${event.cron}`.trim(), kind: 'internal', attributes: { [ATTR.faasTrigger]: 'timer', [ATTR.faasCron]: event.cron } };
    }
    if (typeof event.queue === 'string') {
      const attributes = { [ATTR.faasTrigger]: 'pubsub', [ATTR.messagingSystem]: 'cloudflare_queues', [ATTR.messagingDestination]: event.queue };
      if (Number.isInteger(event.batchSize)) attributes[ATTR.messagingBatchCount] = event.batchSize;
      return { type: 'queue', name: `queue ${event.queue}`, kind: 'consumer', attributes };
    }
    if (typeof event.mailFrom === 'string') {
      // Addresses are personal data: only the size, as instrument() records without `capture`.
      const attributes = { [ATTR.faasTrigger]: 'other' };
      if (Number.isFinite(event.rawSize)) attributes['edgescope.email.size'] = event.rawSize;
      return { type: 'email', name: 'email', kind: 'consumer', attributes };
    }
    if (Array.isArray(event.consumedEvents)) {
      return { type: 'tail', name: 'tail', kind: 'consumer', attributes: { [ATTR.faasTrigger]: 'other', 'edgescope.tail.events': event.consumedEvents.length } };
    }
    if ('getWebSocketEvent' in event) {
      const type = event.getWebSocketEvent?.webSocketEventType;
      const attributes = { [ATTR.faasTrigger]: 'other' };
      if (typeof type === 'string') attributes['edgescope.websocket.event'] = type;
      return { type: 'websocket', name: typeof type === 'string' ? `webSocket ${type}` : 'webSocket', kind: 'server', attributes };
    }
    if ('scheduledTime' in event) return { type: 'alarm', name: 'alarm', kind: 'internal', attributes: { [ATTR.faasTrigger]: 'timer' } };
  }
  return { type: 'other', name: 'invocation', kind: 'server', attributes: { [ATTR.faasTrigger]: 'other' } };
}

function fetchInfo(event) {
  const request = event.request;
  const method = typeof request.method === 'string' && request.method !== '' ? request.method : 'GET';
  const attributes = { [ATTR.method]: method, [ATTR.faasTrigger]: 'http' };
  try {
    const url = new URL(request.url);
    // url.full leaves out the query string (tokens; semconv: sensitive parts SHOULD be redacted).
    attributes[ATTR.urlFull] = `${url.origin}${url.pathname}`;
    attributes[ATTR.urlScheme] = url.protocol.slice(0, -1);
    attributes[ATTR.serverAddress] = url.hostname;
    attributes[ATTR.serverPort] = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    attributes[ATTR.urlPath] = url.pathname;
  } catch {
    // a URL the platform could not give whole: the span keeps its method
  }
  const status = Number.isInteger(event.response?.status) ? event.response.status : null;
  if (status !== null) attributes[ATTR.status] = status;
  return { type: 'fetch', name: method, kind: 'server', attributes, method, status, request };
}

// OpenTelemetry RPC conventions, as a WorkerEntrypoint method recorded by instrumentEntrypoint():
// `{rpc.service}/{rpc.method}`, rpc.service being the entrypoint class (else the script).
function rpcInfo(item, method) {
  const service = typeof item.entrypoint === 'string' && item.entrypoint !== '' ? item.entrypoint : (item.scriptName ?? 'worker');
  return {
    type: 'rpc',
    name: `${service}/${method}`,
    kind: 'server',
    attributes: { 'rpc.system': RPC_SYSTEM, 'rpc.service': service, 'rpc.method': method, [ATTR.faasTrigger]: 'other' },
  };
}
