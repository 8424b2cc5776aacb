// D1 (D1Database, and the D1DatabaseSession of withSession): prepared statements' first, all, run
// and raw, batch and exec as CLIENT spans (db.system.name 'cloudflare.d1', db.namespace = the
// binding name, db.operation.name = the D1 method). db.query.text is the SQL given to prepare():
// parameters are bound apart from it, so no parameter value is ever recorded. exec() runs SQL
// with its values written inline, so its text is not recorded. Rows read and written come from
// the result's `meta` (cloudflare.d1.rows_read, cloudflare.d1.rows_written). first, all and raw
// are lookups (tier 'd1'; a hit when rows came back).
import { bindingProxy, dbAttributes } from './binding-proxy.js';
import { recordLookup, tracedCall } from './call-span.js';

// wrapped statement -> the runtime's own, so batch() (which reads the statements' internals) is
// given what it expects.
const realStatements = new WeakMap();

export function wrapD1(db, name, scope) {
  return wrapDatabase(db, name, scope);
}

// The database and a session have the same surface for what is traced (prepare, batch); exec and
// withSession exist only on the database and pass through wherever they are missing.
function wrapDatabase(db, name, scope) {
  const call = (operation, attributes, invoke, settled) =>
    tracedCall(scope, `${operation} ${name}`, 'client', { ...dbAttributes('cloudflare.d1', 'd1', name, operation), ...attributes }, invoke, settled);
  const traced = {
    prepare: (sql, ...rest) => wrapStatement(db.prepare(sql, ...rest), sql, name, scope),
    batch: (statements, ...rest) => {
      const real = Array.isArray(statements) ? statements.map((s) => realStatements.get(s) ?? s) : statements;
      // db.operation.batch.size: never 1 (database conventions: a batch of one is a single operation).
      const attributes = Array.isArray(statements) && statements.length > 1 ? { 'db.operation.batch.size': statements.length } : {};
      return call('batch', attributes, () => db.batch(real, ...rest), (span, results) => {
        if (Array.isArray(results)) addRows(span, results.map((r) => r?.meta));
      });
    },
  };
  if (typeof db.exec === 'function') {
    traced.exec = (...args) => call('exec', {}, () => db.exec(...args), (span, result) => {
      if (Number.isInteger(result?.count)) span.setAttribute('cloudflare.d1.statements', result.count);
    });
  }
  if (typeof db.withSession === 'function') {
    traced.withSession = (...args) => wrapDatabase(db.withSession(...args), name, scope);
  }
  return bindingProxy(db, traced);
}

function wrapStatement(statement, sql, name, scope) {
  if (statement === null || typeof statement !== 'object') return statement;
  const call = (operation, invoke, settled) =>
    tracedCall(
      scope,
      `${operation} ${name}`,
      'client',
      { ...dbAttributes('cloudflare.d1', 'd1', name, operation), 'db.query.text': typeof sql === 'string' ? sql : String(sql) },
      invoke,
      settled,
    );
  const read = (rows, meta) => (span, value, ms) => {
    const count = rows(value);
    span.setAttribute('db.response.returned_rows', count);
    if (meta) addRows(span, [meta(value)]);
    recordLookup(scope, span, 'd1', count > 0, ms);
  };
  const wrapped = bindingProxy(statement, {
    bind: (...values) => wrapStatement(statement.bind(...values), sql, name, scope),
    // first(column?) resolves to the row (or the column's value), or null when no row matched.
    first: (...args) => call('first', () => statement.first(...args), read((row) => (row === null || row === undefined ? 0 : 1))),
    all: (...args) => call('all', () => statement.all(...args), read((r) => rowCount(r?.results), (r) => r?.meta)),
    raw: (...args) => {
      const header = args[0]?.columnNames === true ? 1 : 0;
      return call('raw', () => statement.raw(...args), read((rows) => Math.max(0, rowCount(rows) - header)));
    },
    run: (...args) => call('run', () => statement.run(...args), (span, result) => addRows(span, [result?.meta])),
  });
  realStatements.set(wrapped, statement);
  return wrapped;
}

// raw({ columnNames: true }) puts the column names first: they are not a row.
function rowCount(rows) {
  return Array.isArray(rows) ? rows.length : 0;
}

function addRows(span, metas) {
  let read = 0;
  let written = 0;
  let known = false;
  for (const meta of metas) {
    if (Number.isFinite(meta?.rows_read)) (read += meta.rows_read), (known = true);
    if (Number.isFinite(meta?.rows_written)) (written += meta.rows_written), (known = true);
  }
  if (known) span.setAttributes({ 'cloudflare.d1.rows_read': read, 'cloudflare.d1.rows_written': written });
}
