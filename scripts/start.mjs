// Starts the capture collector (edgescope/testing) and `wrangler dev` for examples/app, and prints
// a readable line for every span, metric and log that arrives.
import { spawn } from 'node:child_process';
import { formatRecordLines } from '../js/format-lines.js';
import { startCollector } from '../js/testing/index.js';

const COLLECTOR_PORT = Number(process.env.COLLECTOR_PORT ?? 4318);
const APP_PORT = Number(process.env.APP_PORT ?? 8787);

// One line per record, by the same formatter the Console exporter uses (native payloads); an OTLP
// payload is summarised.
const collector = await startCollector({
  port: COLLECTOR_PORT,
  onRecords({ spans, metrics, logs }, { format, bytes, doc }) {
    console.log(`\n[collector] payload (${format}, ${bytes} bytes): ${spans.length} spans, ${metrics.length} metrics, ${logs.length} logs`);
    if (format === 'native') for (const line of formatRecordLines(doc)) console.log(`  ${line}`);
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
