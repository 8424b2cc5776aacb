// Four Workers in one Miniflare (one workerd): the uninstrumented callee (a Durable Object class
// and a named WorkerEntrypoint), the plain caller, the instrumented caller, and the same callee
// instrumented. Both callers bind DO to the callee's Store class and API to its Api entrypoint;
// the instrumented caller also binds TRACED_DO and TRACED_API to the instrumented callee.
import { after, before } from 'node:test';
import { defaultCompatibilityDate } from '../../js/testing/compatibility.js';
import { bundleOf } from './helpers.js';

export function useRpcFleet(collector) {
  let mf = null;
  const workers = {};
  before(async () => {
    await collector.ready;
    const miniflare = await import('miniflare');
    const { Miniflare } = miniflare;
    const compatibilityDate = defaultCompatibilityDate(miniflare);
    const [callee, plain, instrumented, tracedCallee] = await Promise.all(
      ['rpc-callee', 'rpc-caller-plain', 'rpc-caller', 'rpc-callee-instrumented'].map(bundleOf),
    );
    const caller = (name, bundle, bindings = {}, extra = {}) => ({
      name,
      modules: bundle.modules,
      modulesRoot: '/',
      compatibilityDate,
      bindings,
      durableObjects: { DO: { className: 'Store', scriptName: 'rpc-callee', useSQLite: true }, ...extra.durableObjects },
      serviceBindings: { API: { name: 'rpc-callee', entrypoint: 'Api' }, ...extra.serviceBindings },
    });
    mf = new Miniflare({
      workers: [
        caller('rpc-caller-plain', plain),
        caller('rpc-caller', instrumented, { COLLECTOR_URL: collector.nativeUrl }, {
          durableObjects: { TRACED_DO: { className: 'Store', scriptName: 'rpc-callee-instrumented', useSQLite: true } },
          serviceBindings: { TRACED_API: { name: 'rpc-callee-instrumented', entrypoint: 'Api' } },
        }),
        {
          name: 'rpc-callee',
          modules: callee.modules,
          modulesRoot: '/',
          compatibilityDate,
          durableObjects: { DO: { className: 'Store', useSQLite: true } },
        },
        {
          name: 'rpc-callee-instrumented',
          modules: tracedCallee.modules,
          modulesRoot: '/',
          compatibilityDate,
          bindings: { COLLECTOR_URL: collector.nativeUrl },
          durableObjects: { DO: { className: 'Store', useSQLite: true } },
        },
      ],
    });
    await mf.ready;
    workers.plain = await mf.getWorker('rpc-caller-plain');
    workers.instrumented = await mf.getWorker('rpc-caller');
  });
  after(() => mf?.dispose());
  let run = 0;
  // GET /<group>/<case> on one caller; the parsed JSON ({ value } or { error }). `headers` go with
  // the request (a traceparent puts the invocation in a known trace).
  return async function call(which, group, name, query = {}, headers = {}) {
    const params = new URLSearchParams({ run: String(++run), ...query });
    const response = await workers[which].fetch(`http://caller.example/${group}/${name}?${params}`, { headers });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`${which} ${group}/${name}: HTTP ${response.status} ${text}`);
    return JSON.parse(text);
  };
}
