// The callee of rpc-callee.js, instrumented: its Durable Object class and its WorkerEntrypoint
// wrapped by instrumentDurableObject / instrumentEntrypoint, so a test can follow one trace from
// the instrumented caller's client span into the callee's server span.
import { exporters, instrumentDurableObject, instrumentEntrypoint } from 'edgescope';
import { Api as ApiImpl, Store as StoreImpl } from './rpc-callee.js';

const config = (env) => ({ service: 'rpc-callee', exporter: exporters.http({ url: env.COLLECTOR_URL }) });

export const Store = instrumentDurableObject(StoreImpl, config);
export const Api = instrumentEntrypoint(ApiImpl, config);

export default {
  fetch() {
    return new Response('instrumented rpc callee');
  },
};
