// Good and total requests of every SLO over each of its windows, read from D1:
//   - windows up to 6 h (5m, 30m, 1h, 6h): minute rollups;
//   - the 3-day window and the compliance window (windowDays): hour rollups for the hours the cron
//     has folded (rollup_cursor 'hour': the start of the last hour folded), minute rollups after;
//   - every window: the raw metric_points the cron has not folded yet (id above rollup_cursor
//     'minute'), folded into minute rows here (rollup/fold.js), so an SLO sees a request at once.
// A window of length W at `now` takes the buckets starting in [now - W, now): at a cron's
// minute-aligned `now`, exactly W of minute buckets; hour buckets that start before now - W are
// left out (the long windows are hour-granular at their far end).
import { foldPoints, MINUTE as MINUTE_S, pointFromDb, rowFromDb } from '../rollup/fold.js';
import { BURN_WINDOWS, HOUR, DAY } from './burn-rate.js';
import { REQUEST_METRIC, rowCounts, seriesParser } from './good.js';

const SHORT = Object.entries(BURN_WINDOWS).filter(([, ms]) => ms <= 6 * HOUR);
const LONG_BURN = Object.entries(BURN_WINDOWS).filter(([, ms]) => ms > 6 * HOUR);
const SIX_HOURS = 6 * HOUR;

const windowsOf = (slo) => [...LONG_BURN, ['compliance', slo.windowDays * DAY]];
const longest = (slo) => Math.max(...windowsOf(slo).map(([, ms]) => ms));

async function cursors(db) {
  const { results } = await db.prepare("SELECT name, last_id FROM rollup_cursor WHERE name IN ('minute', 'hour')").all();
  const by = Object.fromEntries(results.map((r) => [r.name, r.last_id]));
  // No hour folded yet: no hour rows to read, the minute rows carry the long windows too.
  return { minuteId: by.minute ?? 0, hourEnd: by.hour === undefined ? 0 : by.hour + HOUR };
}

function routeClause(slo) {
  return slo.route === null ? ['', []] : [' AND route = ?', [slo.route]];
}

// Two statements per SLO (its minute rows, its hour rows) and one for the raw points of all.
function statements(db, slos, now, { minuteId, hourEnd }) {
  const out = [];
  for (const slo of slos) {
    const start = now - longest(slo);
    const [clause, args] = routeClause(slo);
    const minuteFrom = Math.min(now - SIX_HOURS, Math.max(start, hourEnd));
    out.push(db.prepare(`SELECT * FROM rollups WHERE service = ? AND name = ? AND resolution = 60 AND bucket >= ? AND bucket < ?${clause}`).bind(slo.service, REQUEST_METRIC, minuteFrom, now, ...args));
    out.push(db.prepare(`SELECT * FROM rollups WHERE service = ? AND name = ? AND resolution = 3600 AND bucket >= ? AND bucket < ?${clause}`).bind(slo.service, REQUEST_METRIC, start, Math.max(start, hourEnd), ...args));
  }
  const oldest = Math.min(...slos.map((slo) => now - longest(slo)));
  const services = [...new Set(slos.map((s) => s.service))];
  out.push(
    db
      .prepare(`SELECT * FROM metric_points WHERE id > ? AND name = ? AND time >= ? AND time < ? AND service IN (${services.map(() => '?').join(', ')}) ORDER BY id`)
      .bind(minuteId, REQUEST_METRIC, oldest, now, ...services),
  );
  return out;
}

const zero = () => ({ good: 0, total: 0 });

// -> Map(slo name -> { '5m', '30m', '1h', '6h', '3d', compliance: { good, total }, unmeasured, skipped })
export async function countWindows(db, slos, now) {
  const out = new Map();
  if (slos.length === 0) return out;
  const cursor = await cursors(db);
  const results = await db.batch(statements(db, slos, now, cursor));
  const { rows: raw, skipped } = foldPoints(results.at(-1).results.map(pointFromDb), MINUTE_S);
  const rawRows = [...raw.values()];
  const tagsOf = seriesParser();
  slos.forEach((slo, i) => {
    const counts = Object.fromEntries([...Object.keys(BURN_WINDOWS), 'compliance'].map((w) => [w, zero()]));
    counts.unmeasured = 0;
    counts.skipped = skipped;
    const add = (row, windows) => {
      const c = rowCounts(slo, row, tagsOf);
      counts.unmeasured += c.unmeasured;
      for (const w of windows) {
        counts[w].good += c.good;
        counts[w].total += c.total;
      }
    };
    const inWindow = (bucket, ms) => bucket >= now - ms && bucket < now;
    for (const r of results[2 * i].results) {
      const row = rowFromDb(r);
      const windows = SHORT.filter(([, ms]) => inWindow(row.bucket, ms)).map(([w]) => w);
      // Minute rows of hours already in the hour rollups are read from those instead.
      if (row.bucket >= cursor.hourEnd) windows.push(...windowsOf(slo).filter(([, ms]) => inWindow(row.bucket, ms)).map(([w]) => w));
      add(row, windows);
    }
    for (const r of results[2 * i + 1].results) {
      const row = rowFromDb(r);
      add(row, windowsOf(slo).filter(([, ms]) => inWindow(row.bucket, ms)).map(([w]) => w));
    }
    for (const row of rawRows) {
      if (row.service !== slo.service || (slo.route !== null && row.route !== slo.route)) continue;
      add(row, [...SHORT, ...windowsOf(slo)].filter(([, ms]) => inWindow(row.bucket, ms)).map(([w]) => w));
    }
    out.set(slo.name, counts);
  });
  return out;
}
