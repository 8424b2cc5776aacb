// The instrumented caller: the same cases as rpc-caller-plain.js under instrument(), with the
// Durable Object namespace and the service binding wrapped by wrapRpcBinding. `?context=true` sets
// bindings.rpcContext to true, `?context=DO,API` to those names (given to the wrapper directly, as
// env wrapping does); without it, rpcContext is off. `?via=env` uses env as instrument() hands it
// over instead (its own wrapping, under this Worker's config: rpcContext for DO only).
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
      const wrapped =
        url.searchParams.get('via') === 'env'
          ? { ns: env.DO, api: env.API }
          : {
              ns: wrapRpcBinding(env.DO, 'durable_object', 'DO', scope, options),
              api: wrapRpcBinding(env.API, 'service', 'API', scope, options),
            };
      return runCase(group, name, wrapped, url.searchParams.get('run'));
    },
  },
  (env) => ({ service: 'rpc-caller', exporter: exporters.http({ url: env.COLLECTOR_URL }), bindings: { rpcContext: ['DO'] } }),
);
