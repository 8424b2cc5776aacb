// Starts the capture collector (edgescope/testing) and `wrangler dev` for examples/app, and prints
// a readable line for every span, metric and log that arrives.
import { spawn } from 'node:child_process';
import { startCollector } from '../js/testing/index.js';

const COLLECTOR_PORT = Number(process.env.COLLECTOR_PORT ?? 4318);
const APP_PORT = Number(process.env.APP_PORT ?? 8787);

const short = (id) => (id ? id.slice(0, 8) : '-');
const attrs = (o) => {
  const entries = Object.entries(o ?? {});
  return entries.length ? ` {${entries.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ')}}` : '';
};

const collector = await startCollector({
  port: COLLECTOR_PORT,
  onRecords({ spans, metrics, logs }, { format, bytes }) {
    console.log(`\n[collector] payload (${format}, ${bytes} bytes): ${spans.length} spans, ${metrics.length} metrics, ${logs.length} logs`);
    for (const s of spans) {
      const ms = Math.round((s.endTime - s.startTime) * 100) / 100;
      console.log(`  span   ${s.name.padEnd(22)} ${s.kind.padEnd(8)} ${String(ms).padStart(7)}ms ${s.status.padEnd(5)} trace=${short(s.traceId)} span=${short(s.spanId)} parent=${short(s.parentSpanId)}`);
    }
    for (const m of metrics) {
      const value = m.type === 'histogram' ? `count=${m.count} sum=${m.sum} min=${m.min} max=${m.max}` : m.value;
      console.log(`  metric ${m.name.padEnd(22)} ${m.type.padEnd(9)} ${value}${m.unit ? ` ${m.unit}` : ''}${attrs(m.tags)}`);
    }
    for (const l of logs) console.log(`  log    ${l.level.padEnd(5)} ${JSON.stringify(l.message)} trace=${short(l.traceId)}${attrs(l.attributes)}`);
  },
});
console.log(`[collector] capture collector listening on ${collector.url} (POST /ingest, /v1/traces|metrics|logs)`);

const wrangler = spawn(
  'npx',
  [
    'wrangler', 'dev',
    '--config', 'examples/app/wrangler.toml',
    '--ip', '127.0.0.1',
    '--port', String(APP_PORT),
    '--var', `COLLECTOR_URL:${collector.nativeUrl}`,
  ],
  { stdio: ['inherit', 'inherit', 'inherit'], env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } },
);
console.log(`[start] example app: open http://127.0.0.1:${APP_PORT}/ (try /api/items, /stream, /error); Ctrl-C stops both`);

const stop = async () => {
  wrangler.kill('SIGINT');
  await collector.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
wrangler.on('exit', async (code) => {
  await collector.close();
  process.exit(code ?? 0);
});
