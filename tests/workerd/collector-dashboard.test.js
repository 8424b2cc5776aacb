// The collector's dashboard in a real headless Chromium (Debian's chromium driven by
// puppeteer-core) against the real collector in workerd with real data: an instrumented Worker
// sends its telemetry to the collector's ingest endpoint, then the page is opened. The numbers the
// page shows equal what the query API answers for the same data, the page asks for a read token
// only because the collector requires one, nothing fails in the browser, and the Acknowledge
// button acknowledges the alert through the API. Screenshots of each section go to
// test-output/dashboard/ (README, "Dashboard").
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { startWorker } from 'edgescope/testing';
import { writeDashboardAssets } from '../../scripts/build-dashboard.mjs';
import { startCollectorWith } from './collector-helpers.js';
import { bundleOf, sleep } from './helpers.js';

const INGEST = 'dashboard-ingest-token-0123456789';
const READ = 'dashboard-read-token-9876543210';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = fileURLToPath(new URL('../../test-output/dashboard/', import.meta.url));
const SECTIONS = ['health', 'routes', 'cache', 'errors', 'traces', 'logs', 'slos', 'alerts'];

// The traffic (workers/collector-dashboard-app.js): 6 item reads (3 memory hits, 3 misses served
// from KV), 2 slow requests, 2 throws.
const TRAFFIC = [...[0, 1, 2, 3, 4, 5].map((i) => `/items/${i}`), '/slow', '/slow', '/boom', '/boom'];
// A second, smaller service: the page opens on the busiest one, and the picker switches.
const OTHER_TRAFFIC = ['/items/7', '/slow', '/boom'];

// The page's number formats (dashboard.js), read back: '1,234' / '12.50%' / '41.3 ms' | '1.20 s'.
const readCount = (text) => Number(text.replaceAll(',', ''));
const readPercent = (text) => Number(text.replace('%', '')) / 100;
function readSeconds(text) {
  const [value, unit] = text.split(' ');
  return unit === 'ms' ? Number(value) / 1000 : Number(value);
}
// A number shown with `digits` decimals equals the API's value rounded the same way.
function shown(text, value, read, digits, scale = 1) {
  assert.ok(text !== '—', `the page shows no value where the API has ${value}`);
  assert.ok(Math.abs(read(text) * scale - value * scale) <= 0.5 * 10 ** -digits + 1e-9, `page ${text} vs API ${value}`);
}
function shownSeconds(text, value) {
  // ms with one decimal below 1 s, seconds with two above.
  if (text.endsWith(' ms')) shown(text, value, readSeconds, 1, 1000);
  else shown(text, value, readSeconds, 2);
}

let collector;
let app;
let other;
let browser;
let page;
const consoleErrors = [];
const failedRequests = [];
const api = async (path, init = {}) => {
  const response = await fetch(`${collector.worker.url}${path}`, { ...init, headers: { authorization: `Bearer ${READ}`, ...init.headers } });
  assert.equal(response.status, 200, `${path}: ${response.status} ${await response.clone().text()}`);
  return response.json();
};

before(async () => {
  // The page's assets as this checkout has them (the bundle below imports dist/dashboard-assets.js).
  writeDashboardAssets();
  collector = await startCollectorWith({ bundleName: 'collector-dashboard', bindings: { INGEST_TOKEN: INGEST, READ_TOKEN: READ } });
  const bundle = await bundleOf('collector-dashboard-app');
  const sender = (SERVICE) => startWorker({ bundle, bindings: { COLLECTOR_URL: `${collector.worker.url}/api/observe/ingest`, TOKEN: INGEST, SERVICE } });
  [app, other] = await Promise.all([sender('shop'), sender('checkout')]);
  for (const path of TRAFFIC) await app.fetch(path);
  for (const path of OTHER_TRAFFIC) await other.fetch(path);
  // Each request's flush runs in waitUntil after its response: wait (bounded) for every
  // request's duration point to be stored.
  const stored = async () =>
    (await collector.db.prepare("SELECT count(*) AS n FROM metric_points WHERE name = 'http.server.request.duration'").first()).n;
  const sent = TRAFFIC.length + OTHER_TRAFFIC.length;
  for (let i = 0; i < 200 && (await stored()) < sent; i++) await sleep(25);
  assert.equal(await stored(), sent, 'every request reached the collector');
  // The cron: rollups, then the SLO evaluation, whose availability burn fires an alert.
  await (await collector.worker.mf.getWorker()).scheduled({ scheduledTime: new Date(), cron: '* * * * *' });

  const { default: puppeteer } = await import('puppeteer-core');
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: scripts/ensure-deps.sh installs Debian's chromium`);
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`${message.text()} ${message.location()?.url ?? ''}`.trim());
  });
  page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => failedRequests.push(`${request.method()} ${request.url()}: ${request.failure()?.errorText}`));
  page.on('response', (response) => {
    if (response.status() >= 400) failedRequests.push(`${response.request().method()} ${response.url()}: ${response.status()}`);
  });
});

after(async () => {
  await browser?.close();
  await app?.dispose();
  await other?.dispose();
  await collector?.worker.dispose();
});

async function openWithToken() {
  await page.goto(`${collector.worker.url}/`, { waitUntil: 'load' });
  await page.waitForSelector('body[data-state="token"]', { timeout: 10_000 });
  mkdirSync(SCREENSHOTS, { recursive: true });
  await (await page.$('#token')).screenshot({ path: `${SCREENSHOTS}token.png` });
  assert.equal(await page.$eval('#main', (main) => main.checkVisibility()), false, 'no data section shows before the token');
  // An ingest token cannot read: the page says so and asks again.
  await page.type('#token-input', INGEST);
  await page.click('#token-form button[type="submit"]');
  await page.waitForFunction(() => document.querySelector('#token-error').textContent !== '');
  assert.equal(await textOf('#token-error'), 'That token was not accepted.');
  assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'a refused token is not kept');
  await page.type('#token-input', READ);
  await page.click('#token-form button[type="submit"]');
  await page.waitForSelector('body[data-state="ready"]', { timeout: 15_000 });
  assert.equal(await page.evaluate(() => sessionStorage.getItem('edgescope.readToken')), READ);
}

const textOf = (selector) => page.$eval(selector, (node) => node.textContent.trim());
const rowsOf = (section) =>
  page.$$eval(`#${section} tbody tr:not(.empty)`, (rows) =>
    rows.map((row) => ({ key: Object.values(row.dataset)[0], cells: Object.fromEntries([...row.querySelectorAll('[data-col]')].map((c) => [c.dataset.col, c.textContent.trim()])) })),
  );

test('the page is served from the collector with a same-origin-only CSP, an ETag and cache rules', async () => {
  const base = collector.worker.url;
  const html = await fetch(`${base}/`);
  assert.equal(html.status, 200);
  assert.match(html.headers.get('content-type'), /^text\/html/);
  const csp = html.headers.get('content-security-policy');
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.match(csp, /connect-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /https?:|\*|unsafe-inline|unsafe-eval/, 'no remote origin, wildcard or inline allowance');
  assert.equal(html.headers.get('cache-control'), 'no-cache');
  const page = await html.text();
  assert.doesNotMatch(page, /(src|href)="(https?:)?\/\//, 'the page loads nothing from another origin');
  const [, version] = page.match(/dashboard\.js\?v=([0-9a-f]+)/);

  const script = await fetch(`${base}/dashboard.js?v=${version}`);
  assert.equal(script.status, 200);
  assert.match(script.headers.get('content-type'), /^text\/javascript/);
  assert.equal(script.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.match(await script.text(), /uPlot/, 'uPlot is bundled into the script');
  // A stale or missing version is revalidated, never cached as immutable.
  assert.equal((await fetch(`${base}/dashboard.css?v=old`)).headers.get('cache-control'), 'no-cache');
  const etag = script.headers.get('etag');
  const again = await fetch(`${base}/dashboard.js?v=${version}`, { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
  assert.equal(await again.text(), '');
  // The page needs no token; the data does.
  assert.equal((await fetch(`${base}/api/traces`)).status, 401);
});

test('the page asks for a read token (an ingest token is refused), then shows the numbers the query API answers', async () => {
  await openWithToken();
  const { services } = await api('/api/observe/summary?window=1h');
  const shop = services.find((s) => s.service === 'shop');
  assert.ok(shop, 'the summary has the seeded service');
  assert.equal(await page.$eval('#service', (s) => s.value), 'shop');

  // Service health: requests, errors and percentiles equal the summary.
  assert.equal(shop.requests, TRAFFIC.length);
  assert.equal(readCount(await textOf('[data-kpi="requests"]')), shop.requests);
  assert.equal(readCount(await textOf('[data-kpi="errors"]')), shop.errors);
  shown(await textOf('[data-kpi="errorRate"]'), shop.errorRate, readPercent, 2, 100);
  for (const q of ['p50', 'p95', 'p99']) shownSeconds(await textOf(`[data-kpi="${q}"]`), shop[q]);
  // Both charts were drawn by uPlot; the rate chart (from /api/metrics, by status code) plots
  // every request and every error the summary counts.
  assert.equal(await page.$$eval('#health .uplot canvas', (c) => c.length), 2);
  assert.equal(readCount(await textOf('[data-chart-total="requests"]')), shop.requests);
  assert.equal(readCount(await textOf('[data-chart-total="errors"]')), shop.errors);

  // Routes: one row per route, each number as the API has it.
  const routes = await rowsOf('routes');
  assert.deepEqual(routes.map((r) => r.key).sort(), shop.routes.map((r) => r.route ?? '').sort());
  for (const r of shop.routes) {
    const row = routes.find((x) => x.key === (r.route ?? '')).cells;
    assert.equal(readCount(row.requests), r.requests);
    assert.equal(readCount(row.errors), r.errors);
    shown(row.errorRate, r.errorRate, readPercent, 2, 100);
    for (const q of ['p50', 'p95', 'p99']) shownSeconds(row[q], r[q]);
  }

  // Cache tiers and hit ratios.
  const tiers = await rowsOf('cache');
  assert.deepEqual(tiers.map((t) => t.key).sort(), shop.cacheTiers.map((t) => t.tier).sort());
  for (const t of shop.cacheTiers) {
    const row = tiers.find((x) => x.key === t.tier).cells;
    assert.equal(readCount(row.lookups), t.lookups);
    assert.equal(readCount(row.hits), t.hits);
    shown(row.hitRatio, t.hitRatio, readPercent, 1, 100);
  }

  // Errors by severity and fingerprint.
  for (const severity of ['CRITICAL', 'WARNING', 'INFO']) assert.equal(readCount(await textOf(`[data-severity="${severity}"]`)), shop.errorsBySeverity[severity] ?? 0);
  assert.ok(shop.topErrors.some((e) => e.route === '/boom' && e.count === 2), 'the two throws are one fingerprint');
  const fingerprints = await rowsOf('errors');
  assert.deepEqual(fingerprints.map((f) => f.key).sort(), shop.topErrors.map((e) => e.fingerprint).sort());
  for (const e of shop.topErrors) {
    assert.equal(readCount(fingerprints.find((f) => f.key === e.fingerprint).cells.count), e.count);
    assert.equal(await textOf(`#errors tr[data-fingerprint="${e.fingerprint}"] td.message`), e.message);
  }

  // SLO compliance and budget.
  const { slos } = await api('/api/slos');
  const sloRows = await rowsOf('slos');
  assert.deepEqual(sloRows.map((s) => s.key).sort(), slos.map((s) => s.name).sort());
  for (const s of slos) {
    const row = sloRows.find((x) => x.key === s.name).cells;
    shown(row.compliance, s.compliance, readPercent, 3, 100);
    shown(row.budget, s.errorBudgetRemaining, readPercent, 1, 100);
  }
});

test('a trace from the list opens as a waterfall of its spans, and log search finds its lines', async () => {
  const { traces } = await api('/api/traces?service=shop&window=1h&limit=50');
  assert.deepEqual(await page.$$eval('#traces tbody tr', (rows) => rows.map((r) => r.dataset.traceId)), traces.map((t) => t.traceId));
  const failing = traces.find((t) => t.error);
  assert.ok(failing, 'a thrown request is listed as an error');
  await page.click(`#traces tr[data-trace-id="${failing.traceId}"]`);
  await page.waitForSelector('#waterfall:not([hidden]) .span-row');
  const { spans } = await api(`/api/traces/${failing.traceId}`);
  assert.deepEqual((await page.$$eval('#waterfall .span-row', (rows) => rows.map((r) => r.dataset.spanId))).sort(), spans.map((s) => s.spanId).sort());

  await page.type('#log-q', 'slow path');
  await page.click('#log-filter button[type="submit"]');
  await page.waitForFunction(() => [...document.querySelectorAll('#logs tbody tr')].every((r) => r.textContent.includes('slow path taken')));
  const { logs } = await api('/api/logs?service=shop&window=1h&q=slow%20path');
  assert.equal(logs.length, 2);
  assert.equal(await page.$$eval('#logs tbody tr', (rows) => rows.length), logs.length);
});

test('the Acknowledge button acknowledges a firing alert through the API', async () => {
  const { alerts } = await api('/api/alerts?state=firing');
  const open = alerts.find((a) => !a.acknowledgedAt);
  assert.ok(open, 'the seeded traffic fired an alert');
  await page.type('#ack-by', 'on-call');
  await page.click(`#alerts tr[data-alert-id="${open.id}"] button.ack`);
  await page.waitForFunction((id) => !document.querySelector(`#alerts tr[data-alert-id="${id}"] button.ack`), {}, open.id);
  const after = (await api('/api/alerts?state=all')).alerts.find((a) => a.id === open.id);
  assert.equal(after.acknowledgedBy, 'on-call');
  assert.ok(after.acknowledgedAt > 0);
  assert.match(await textOf(`#alerts tr[data-alert-id="${open.id}"] [data-col="acknowledged"]`), /by on-call$/);
});

test('picking another service shows its own numbers, routes and traces', async () => {
  const { services } = await api('/api/observe/summary?window=1h');
  const checkout = services.find((s) => s.service === 'checkout');
  assert.equal(checkout.requests, OTHER_TRAFFIC.length);
  await page.select('#service', 'checkout');
  await page.waitForSelector('body[data-state="ready"]');
  assert.equal(readCount(await textOf('[data-kpi="requests"]')), checkout.requests);
  assert.equal(readCount(await textOf('[data-kpi="errors"]')), checkout.errors);
  shown(await textOf('[data-kpi="errorRate"]'), checkout.errorRate, readPercent, 2, 100);
  shownSeconds(await textOf('[data-kpi="p95"]'), checkout.p95);
  assert.equal(readCount(await textOf('[data-chart-total="requests"]')), checkout.requests);
  assert.deepEqual((await rowsOf('routes')).map((r) => r.key).sort(), checkout.routes.map((r) => r.route).sort());
  const { traces } = await api('/api/traces?service=checkout&window=1h&limit=50');
  assert.equal(traces.length, OTHER_TRAFFIC.length);
  assert.deepEqual(await page.$$eval('#traces tbody tr', (rows) => rows.map((r) => r.dataset.traceId)), traces.map((t) => t.traceId));
  await page.select('#service', 'shop');
  await page.waitForSelector('body[data-state="ready"]');
  assert.equal(readCount(await textOf('[data-kpi="requests"]')), TRAFFIC.length);
});

test('with publicRead the page opens without asking for a token', async () => {
  const open = await startCollectorWith({ bundleName: 'collector-dashboard-public', bindings: { INGEST_TOKEN: INGEST } });
  const tab = await browser.newPage();
  const problems = [];
  tab.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
  tab.on('response', (response) => response.status() >= 400 && problems.push(`${response.url()}: ${response.status()}`));
  try {
    await tab.goto(`${open.worker.url}/`, { waitUntil: 'load' });
    await tab.waitForSelector('body[data-state="ready"]', { timeout: 10_000 });
    assert.equal(await tab.$eval('#token', (section) => section.checkVisibility()), false);
    // No data yet: the page says so, and the numbers are zero rather than missing.
    assert.equal(await tab.$eval('#no-data', (p) => p.checkVisibility()), true);
    assert.equal(await tab.$eval('[data-kpi="requests"]', (node) => node.textContent), '0');
    assert.equal(await tab.$$eval('.section-error:not([hidden])', (shown) => shown.length), 0);
    assert.deepEqual(problems, []);
  } finally {
    await tab.close();
    await open.worker.dispose();
  }
});

test('every section renders without a console error or a failed request, and is screenshotted', async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const id of SECTIONS) {
    const section = await page.$(`#${id}`);
    assert.equal(await section.$eval('.section-error', (p) => p.hidden).catch(() => true), true, `section ${id} shows an error`);
    await section.screenshot({ path: `${SCREENSHOTS}${id}.png` });
  }
  await page.screenshot({ path: `${SCREENSHOTS}page.png`, fullPage: true });
  // The expected misses: the summary before any token and with the ingest token (Chromium logs
  // a 4xx answer to a fetch as a console error).
  const summary401 = (line) => /\/api\/observe\/summary\?window=1h/.test(line) && /401/.test(line);
  assert.deepEqual(failedRequests.filter((line) => !summary401(line)), []);
  assert.equal(failedRequests.filter(summary401).length, 2);
  assert.deepEqual(consoleErrors.filter((line) => !summary401(line)), []);
});
