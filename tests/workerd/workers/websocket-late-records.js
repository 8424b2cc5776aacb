// A chat-style Worker: fetch accepts a WebSocket (the standard API, server.accept()) and records
// telemetry for each message through the request's scope.
import { exporters, instrument, scopeOf } from 'edgescope';

export default instrument(
  {
    async fetch(request) {
      const t = scopeOf(request);
      if (request.headers.get('upgrade') !== 'websocket') return new Response('ok');
      const [client, server] = Object.values(new WebSocketPair());
      server.accept();
      server.addEventListener('message', (event) => {
        t.log.info('ws message', { size: String(event.data).length });
        t.metrics.increment('ws.messages');
        server.send(`echo: ${event.data}`);
      });
      server.addEventListener('close', () => {
        t.log.info('ws closed');
        server.close();
      });
      return new Response(null, { status: 101, webSocket: client });
    },
  },
  (env) => ({ service: 'ws-records', requestMetrics: false, exporter: exporters.http({ url: env.COLLECTOR_URL, retries: 0 }) }),
);
