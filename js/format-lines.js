// Readable renderings of native-JSON records, shared by the Console exporter and `npm start`.
//
// Two layouts:
//   formatRecordLines(doc)            one line per record, prefixed `[edgescope]`: what the Console
//                                     exporter writes (one log entry per record in `wrangler tail`,
//                                     where no terminal width exists and grep wants whole lines);
//   formatRecordLines(doc, { width }) the terminal layout `npm start` prints: a head line per
//                                     record whose columns line up, then its details wrapped under
//                                     it, every line at most `width` characters.
//   lineFormatter({ width })          the terminal layout with column widths kept across calls, so
//                                     successive payloads line up with each other too.
//   oneLineLayout(doc)                the first, on its own: the Console exporter imports this, so
//                                     a bundled Worker does not carry the terminal layout, which
//                                     only `npm start` (Node) uses.
// Both show, for a span that failed, the response outcome (`edgescope.response.outcome`) and the
// exception's type and message (its `exception` event, else the span's status message).

const OUTCOME = 'edgescope.response.outcome';

export function formatRecordLines(doc, options = {}) {
  return options.width === undefined ? oneLineLayout(doc) : lineFormatter(options)(doc);
}

// ---- one line per record ------------------------------------------------------------------------

export function oneLineLayout(doc) {
  const lines = [];
  for (const s of doc.spans ?? []) {
    const parent = s.parentSpanId ? ` parent=${s.parentSpanId.slice(0, 8)}` : '';
    const { outcome, error, attributes } = spanFailure(s);
    const failure = `${outcome ? ` outcome=${outcome}` : ''}${error ? ` error=${JSON.stringify(error)}` : ''}`;
    lines.push(
      `[edgescope] span ${clean(s.operationName)} ${s.kind} ${fmtMs(s.duration)} ${s.status} trace=${s.traceId.slice(0, 8)} span=${s.spanId.slice(0, 8)}${parent}${failure}${fmtAttrs(attributes)}`,
    );
  }
  for (const m of doc.metrics ?? []) {
    const value = m.type === 'histogram' ? `count=${m.count} sum=${m.sum} min=${m.min} max=${m.max}` : `${m.value}`;
    lines.push(`[edgescope] metric ${m.type} ${clean(m.name)}${m.unit ? ` (${m.unit})` : ''} ${value}${fmtAttrs(m.tags)}`);
  }
  for (const l of doc.logs ?? []) {
    const trace = l.metadata ? ` trace=${l.metadata.traceId.slice(0, 8)}` : '';
    const error = l.error ? ` error=${l.error.name ?? ''}: ${l.error.message ?? ''}` : '';
    lines.push(`[edgescope] log ${l.level} ${JSON.stringify(l.message)}${trace}${error}${fmtAttrs(l.context)}`);
  }
  return lines;
}

function fmtAttrs(attributes) {
  const entries = Object.entries(attributes ?? {});
  if (entries.length === 0) return '';
  return ` {${entries.map(([k, v]) => `${clean(k)}=${typeof v === 'string' ? clean(v) : JSON.stringify(v)}`).join(', ')}}`;
}

// ---- the terminal layout ------------------------------------------------------------------------
//
//   span   GET /error                 server         1ms error outcome=threw
//            error: Error: something broke on purpose
//            trace=a42ec966 span=911a51ab http.request.method=GET url.path=/error
//   metric http.server.request.duration (s)  histogram  count=1 sum=0.002 min=0.002 max=0.002
//            error.type=Error http.request.method=GET http.route=/error
//   log    error "bad thing" trace=a42ec966
//            error: Error: bad thing
//
// The name column is as wide as the longest name seen so far, up to 40% of the width; a longer
// name gets the head line to itself and the columns continue, aligned, on the next line; columns
// that do not fit a narrow terminal lead the details instead of being cut. Detail tokens wrap at
// the width; a single token wider than a line is cut with `…` (the collector, not
// the terminal, is where whole values live). Widths count code points: wide (CJK) characters may
// shift a column, they never split.

const TAG = 7; // 'metric '
const INDENT = ' '.repeat(TAG + 2);
const MIN_WIDTH = 40;
const ERROR_LINES = 6;

export function lineFormatter({ width = 100 } = {}) {
  if (!Number.isFinite(width)) throw new TypeError(`lineFormatter: width must be a number of columns (got ${width})`);
  const w = Math.max(MIN_WIDTH, Math.floor(width));
  const cap = Math.max(16, Math.floor(w * 0.4));
  const seen = { span: 0, metric: 0 };
  const column = (kind, names) => {
    for (const n of names) if (len(n) <= cap) seen[kind] = Math.max(seen[kind], len(n));
    return seen[kind];
  };

  return (doc) => {
    const lines = [];
    const spans = doc.spans ?? [];
    const metrics = doc.metrics ?? [];
    const spanNames = spans.map((s) => clean(s.operationName));
    const metricNames = metrics.map((m) => `${clean(m.name)}${m.unit ? ` (${clean(m.unit)})` : ''}`);
    const spanCol = column('span', spanNames);
    const metricCol = column('metric', metricNames);

    spans.forEach((s, i) => {
      const { outcome, error, attributes } = spanFailure(s);
      const columns = [pad(s.kind, 8), pad(fmtMs(s.duration), 9, true), outcome ? pad(s.status, 5) : s.status];
      if (outcome) columns.push(`outcome=${outcome}`);
      // Columns a narrow terminal pushed off the head line come first: the status and outcome.
      details(lines, w, head(lines, w, 'span', spanNames[i], spanCol, columns));
      if (error) errorLines(lines, w, error);
      const ids = [`trace=${s.traceId.slice(0, 8)}`, `span=${s.spanId.slice(0, 8)}`];
      if (s.parentSpanId) ids.push(`parent=${s.parentSpanId.slice(0, 8)}`);
      details(lines, w, [...ids, ...tokens(attributes)]);
    });
    metrics.forEach((m, i) => {
      const values = m.type === 'histogram' ? ['count', 'sum', 'min', 'max'].map((k) => `${k}=${fmtNumber(m[k])}`) : [fmtNumber(m.value)];
      const rest = head(lines, w, 'metric', metricNames[i], metricCol, [pad(m.type, 9), ...values]);
      details(lines, w, [...rest, ...tokens(m.tags)]);
    });
    for (const l of doc.logs ?? []) {
      const trace = l.metadata ? ` trace=${l.metadata.traceId.slice(0, 8)}` : '';
      const start = `${pad('log', TAG)}${pad(l.level, 5)} `;
      lines.push(`${start}${fit(JSON.stringify(String(l.message)), w - len(start) - len(trace))}${trace}`);
      if (l.error) errorLines(lines, w, `${l.error.name ?? 'Error'}: ${l.error.message ?? ''}`);
      details(lines, w, tokens(l.context));
    }
    return lines;
  };
}

// The head line: tag, name padded to the column, then the columns. A name wider than the column
// takes the line alone (wrapped, never cut, if it is wider than the line too) and the columns go,
// aligned, on the next one. Columns that do not fit the width, last first, are returned to lead
// the detail lines instead.
function head(lines, w, tag, name, col, columns) {
  const start = TAG + col + 1;
  let prefix;
  if (len(name) > col) {
    const chars = Array.from(name);
    for (let i = 0; i < chars.length; i += w - TAG) lines.push(`${pad(i === 0 ? tag : '', TAG)}${chars.slice(i, i + w - TAG).join('')}`);
    prefix = ' '.repeat(start);
  } else {
    prefix = `${pad(tag, TAG)}${pad(name, col)} `;
  }
  const kept = [...columns];
  const moved = [];
  while (kept.length > 0 && len((prefix + kept.join(' ')).trimEnd()) > w) moved.unshift(kept.pop().trim());
  if (kept.length > 0 || len(name) <= col) lines.push((prefix + kept.join(' ')).trimEnd());
  return moved;
}

// Tokens separated by one space, wrapped at the width under the indent.
function details(lines, w, list) {
  const room = w - INDENT.length;
  let line = '';
  for (const token of list.map((t) => fit(t, room))) {
    if (line !== '' && len(line) + 1 + len(token) > room) {
      lines.push(INDENT + line);
      line = '';
    }
    line = line === '' ? token : `${line} ${token}`;
  }
  if (line !== '') lines.push(INDENT + line);
}

// An error message is what the reader came for: it is wrapped (at spaces where it can) rather
// than cut, up to a few lines.
function errorLines(lines, w, text) {
  const room = w - INDENT.length;
  let rest = Array.from(`error: ${clean(text)}`);
  for (let n = 0; rest.length > 0; n++) {
    if (n === ERROR_LINES - 1 && rest.length > room) {
      lines.push(`${INDENT}${rest.slice(0, room - 1).join('')}…`);
      return;
    }
    let cut = rest.length <= room ? rest.length : rest.lastIndexOf(' ', room);
    if (cut <= 0) cut = room; // one word wider than the line: split it
    lines.push(INDENT + rest.slice(0, cut).join('').trimEnd());
    rest = rest.slice(cut);
    while (rest[0] === ' ') rest.shift();
  }
}

function tokens(attributes) {
  return Object.entries(attributes ?? {}).map(([k, v]) => `${clean(k)}=${fmtValue(v)}`);
}

// A string is shown bare when that is unambiguous (no spaces, quotes or control characters),
// otherwise JSON-quoted, so a value can never look like the next key.
function fmtValue(v) {
  if (typeof v === 'string') return /^[^\s"\\\p{C}]+$/u.test(v) ? v : JSON.stringify(v);
  if (typeof v === 'number') return fmtNumber(v);
  return JSON.stringify(v) ?? String(v);
}

// ---- shared -------------------------------------------------------------------------------------

// The outcome and the error of a span, and its attributes without the outcome (shown on its own).
function spanFailure(span) {
  const { [OUTCOME]: outcome, ...attributes } = span.attributes ?? {};
  const exception = (span.events ?? []).find((e) => e.name === 'exception')?.attributes;
  let error = null;
  if (exception && (exception['exception.message'] !== undefined || exception['exception.type'] !== undefined)) {
    error = [exception['exception.type'], exception['exception.message']].filter((x) => x !== undefined && x !== '').join(': ');
  } else if (span.status === 'error' && span.statusMessage) {
    error = span.statusMessage;
  }
  return { outcome: outcome === undefined ? null : String(outcome), error, attributes };
}

function fmtMs(ms) {
  return `${Math.round(ms * 100) / 100}ms`;
}

// Six significant digits: float sums (0.30000000000000004) are noise on a terminal.
function fmtNumber(n) {
  return typeof n === 'number' && Number.isFinite(n) && !Number.isInteger(n) ? String(Number(n.toPrecision(6))) : String(n);
}

// Control characters (a newline in a span name) would break the layout: shown escaped. The class
// is spelled out rather than written \p{Cc}: general category Cc is exactly U+0000-U+001F and
// U+007F-U+009F, and the Unicode stability policy never changes it, while a property escape makes
// V8 build the class from its Unicode tables the first time the Console exporter formats a record
// in a fresh isolate (about 60 µs in Node 22, against 5 µs for this class). All are single UTF-16
// code units, so no `u` flag is needed.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

function clean(s) {
  return String(s).replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function len(s) {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function pad(s, n, left = false) {
  const fill = ' '.repeat(Math.max(0, n - len(s)));
  return left ? fill + s : s + fill;
}

function fit(s, n) {
  if (len(s) <= n) return s;
  return `${Array.from(s).slice(0, Math.max(0, n - 1)).join('')}…`;
}
