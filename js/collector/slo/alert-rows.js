// The `alerts` table (migration 0002): one row per firing of an alert key, 'firing' until it
// resolves. The UNIQUE index on key WHERE state = 'firing' keeps one open alert per key even when
// two evaluations race (a retried cron): the second INSERT is ignored and that evaluation does not
// notify. Every transition is a conditional UPDATE whose change count says who made it, so each
// alert is notified of once on fire and once on resolve.

const parse = (text) => {
  try {
    return JSON.parse(text);
  } catch {
    return { unreadable: String(text) };
  }
};

// A D1 row as the API shows it.
export function alertFromDb(r) {
  return {
    id: r.id,
    key: r.key,
    kind: r.kind,
    name: r.name,
    service: r.service,
    severity: r.severity,
    state: r.state,
    firedAt: r.fired_at,
    resolvedAt: r.resolved_at ?? null,
    acknowledgedAt: r.acknowledged_at ?? null,
    acknowledgedBy: r.acknowledged_by ?? null,
    details: parse(r.details),
    updatedAt: r.updated_at ?? null,
  };
}

export async function openSloAlerts(db) {
  const { results } = await db.prepare("SELECT * FROM alerts WHERE kind = 'slo' AND state = 'firing'").all();
  return new Map(results.map((r) => [r.key, alertFromDb(r)]));
}

// -> the alert, or null when an open alert for the key already exists.
export async function insertFiring(db, { id, key, name, service, severity, firedAt, details }) {
  const result = await db
    .prepare("INSERT OR IGNORE INTO alerts (id, key, kind, name, service, severity, state, fired_at, details, updated_at) VALUES (?, ?, 'slo', ?, ?, ?, 'firing', ?, ?, ?)")
    .bind(id, key, name, service, severity, firedAt, JSON.stringify(details), firedAt)
    .run();
  if (result.meta.changes !== 1) return null;
  return { id, key, kind: 'slo', name, service, severity, state: 'firing', firedAt, resolvedAt: null, acknowledgedAt: null, acknowledgedBy: null, details, updatedAt: firedAt };
}

// Firing -> resolved; false when another evaluation resolved it first.
export async function markResolved(db, alert, now, details) {
  const result = await db
    .prepare("UPDATE alerts SET state = 'resolved', resolved_at = ?, details = ?, updated_at = ? WHERE id = ? AND state = 'firing'")
    .bind(now, JSON.stringify(details), now, alert.id)
    .run();
  return result.meta.changes === 1;
}

// Claims a reminder of a firing, unacknowledged alert: only if nothing changed the row since it
// was read (updated_at as its version), so two evaluations never remind twice.
export async function claimReminder(db, alert, now, details) {
  const result = await db
    .prepare("UPDATE alerts SET details = ?, updated_at = ? WHERE id = ? AND state = 'firing' AND acknowledged_at IS NULL AND updated_at IS ?")
    .bind(JSON.stringify(details), now, alert.id, alert.updatedAt)
    .run();
  return result.meta.changes === 1;
}

// The outcome of a notification, kept on the row (so a failed delivery shows in /api/alerts).
export async function writeDetails(db, id, details, now) {
  await db.prepare('UPDATE alerts SET details = ?, updated_at = ? WHERE id = ?').bind(JSON.stringify(details), now, id).run();
}

export async function getAlert(db, id) {
  const r = await db.prepare('SELECT * FROM alerts WHERE id = ?').bind(id).first();
  return r ? alertFromDb(r) : null;
}

// The first acknowledgement stays: a second one changes nothing. -> the alert, or null (unknown id).
export async function acknowledge(db, id, by, now) {
  await db.prepare('UPDATE alerts SET acknowledged_at = ?, acknowledged_by = ?, updated_at = ? WHERE id = ? AND acknowledged_at IS NULL').bind(now, by, now, id).run();
  return getAlert(db, id);
}

// Newest first, keyset-paged by (fired_at, id). state: 'firing' | 'resolved' | 'all'.
export async function listAlerts(db, { state, limit, after }) {
  const where = [];
  const args = [];
  if (state !== 'all') {
    where.push('state = ?');
    args.push(state);
  }
  if (after) {
    where.push('(fired_at < ? OR (fired_at = ? AND id < ?))');
    args.push(after.firedAt, after.firedAt, after.id);
  }
  const sql = `SELECT * FROM alerts${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY fired_at DESC, id DESC LIMIT ?`;
  const { results } = await db.prepare(sql).bind(...args, limit + 1).all();
  const alerts = results.slice(0, limit).map(alertFromDb);
  const last = alerts.at(-1);
  return { alerts, next: results.length > limit ? { firedAt: last.firedAt, id: last.id } : null };
}
