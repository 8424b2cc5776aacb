// Responses that have no body to watch: a null body, a WebSocket upgrade, and a handler that
// returns something that is not a Response.
import { exporters, instrument } from 'edgescope';

export default instrument(
  {
    async fetch(request) {
      const url = new URL(request.url);
      if (url.pathname === '/null-body') return new Response(null, { status: 204, headers: { 'x-kind': 'null' } });
      if (url.pathname === '/upgrade') {
        const [client, server] = Object.values(new WebSocketPair());
        server.accept();
        server.addEventListener('message', (event) => server.send(`echo ${event.data}`));
        return new Response(null, { status: 101, webSocket: client });
      }
      if (url.pathname === '/invalid') return 'not a response';
      return new Response('ok');
    },
  },
  (env) => ({ service: 'kinds-worker', requestMetrics: false, exporter: exporters.http({ url: env.COLLECTOR_URL, retries: 0 }) }),
);
