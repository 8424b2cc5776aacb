// Writes docs/dashboard.png, the README quick start's picture: a screenshot of the dashboard of a
// running `npm start` (default http://127.0.0.1:8788/), taken in Debian's chromium through
// puppeteer-core after the traffic generator has had time to fill it.
//   npm start &   # wait a minute or two
//   node scripts/dashboard-screenshot.mjs [url] [out]
import puppeteer from 'puppeteer-core';

const url = process.argv[2] ?? 'http://127.0.0.1:8788/';
const out = process.argv[3] ?? new URL('../docs/dashboard.png', import.meta.url).pathname;
const browser = await puppeteer.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 1600, deviceScaleFactor: 1 });
  await page.goto(url, { waitUntil: 'networkidle0', timeout: 30_000 });
  await page.screenshot({ path: out, fullPage: false });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
}
