// Queue producers (WorkerQueue): send and sendBatch as PRODUCER spans in the messaging
// conventions (messaging.system 'cloudflare_queues', as instrument() names the consumer side;
// messaging.destination.name = the binding name, since a producer binding does not expose the
// queue's own name; messaging.operation.type 'send'). Message bodies are not recorded.
import { bindingProxy } from './binding-proxy.js';
import { tracedCall } from './call-span.js';

export function wrapQueue(queue, name, scope) {
  const call = (operation, attributes, invoke) =>
    tracedCall(
      scope,
      `${operation} ${name}`, // messaging conventions: "{messaging.operation.name} {destination}"
      'producer',
      {
        'messaging.system': 'cloudflare_queues',
        'messaging.destination.name': name,
        'messaging.operation.type': 'send',
        'messaging.operation.name': operation,
        'cloudflare.binding.type': 'queue',
        'cloudflare.binding.name': name,
        ...attributes,
      },
      invoke,
    );
  return bindingProxy(queue, {
    send: (...args) => call('send', {}, () => queue.send(...args)),
    sendBatch: (messages, ...rest) =>
      call('sendBatch', batchSize(messages), () => queue.sendBatch(messages, ...rest)),
  });
}

// messaging.batch.message_count, when the batch is an array (any iterable is accepted by the
// runtime; it is not iterated here, since a generator could be read only once).
function batchSize(messages) {
  return Array.isArray(messages) ? { 'messaging.batch.message_count': messages.length } : {};
}
