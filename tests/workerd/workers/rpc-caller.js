// The instrumented caller: the same cases as rpc-caller-plain.js under instrument(), with the
// Durable Object namespace and the service binding wrapped by wrapRpcBinding. `?context=true` sets
// bindings.rpcContext to true, `?context=DO,API` to those names (given to the wrapper directly, as
// env wrapping does); without it, rpcContext is off. `?via=env` uses env as instrument() hands it
// over instead (its own wrapping, under this Worker's config: rpcContext for DO only).
// `?callee=traced` calls the instrumented callee (TRACED_DO, TRACED_API) instead.
import { exporters, instrument, scopeOf } from 'edgescope';
import { wrapRpcBinding } from '../../../js/bindings/rpc.js';
import { runCase } from './rpc-scenarios.js';

export default instrument(
  {
    fetch(request, env) {
      const url = new URL(request.url);
      const [, group, name] = url.pathname.split('/');
      const scope = scopeOf(request);
      const context = url.searchParams.get('context');
      const options = { rpcContext: context === 'true' ? true : context ? context.split(',') : false };
      // (context=DO,API names the bindings as called in this request: TRACED_* with callee=traced.)
      const [doName, apiName] = url.searchParams.get('callee') === 'traced' ? ['TRACED_DO', 'TRACED_API'] : ['DO', 'API'];
      const wrapped =
        url.searchParams.get('via') === 'env'
          ? { ns: env[doName], api: env[apiName] }
          : {
              ns: wrapRpcBinding(env[doName], 'durable_object', doName, scope, options),
              api: wrapRpcBinding(env[apiName], 'service', apiName, scope, options),
            };
      return runCase(group, name, wrapped, url.searchParams.get('run'));
    },
  },
  (env) => ({ service: 'rpc-caller', exporter: exporters.http({ url: env.COLLECTOR_URL }), bindings: { rpcContext: ['DO'] } }),
);
