// Readable one-line renderings of native-JSON records, shared by the Console exporter and the
// capture collector's summary.
export function formatRecordLines(doc) {
  const lines = [];
  for (const s of doc.spans ?? []) {
    const parent = s.parentSpanId ? ` parent=${s.parentSpanId.slice(0, 8)}` : '';
    lines.push(
      `[edgescope] span ${s.operationName} ${s.kind} ${fmtMs(s.duration)} ${s.status} trace=${s.traceId.slice(0, 8)} span=${s.spanId.slice(0, 8)}${parent}${fmtAttrs(s.attributes)}`,
    );
  }
  for (const m of doc.metrics ?? []) {
    const value = m.type === 'histogram' ? `count=${m.count} sum=${m.sum} min=${m.min} max=${m.max}` : `${m.value}`;
    lines.push(`[edgescope] metric ${m.type} ${m.name}${m.unit ? ` (${m.unit})` : ''} ${value}${fmtAttrs(m.tags)}`);
  }
  for (const l of doc.logs ?? []) {
    const trace = l.metadata ? ` trace=${l.metadata.traceId.slice(0, 8)}` : '';
    const error = l.error ? ` error=${l.error.name ?? ''}: ${l.error.message ?? ''}` : '';
    lines.push(`[edgescope] log ${l.level} ${JSON.stringify(l.message)}${trace}${error}${fmtAttrs(l.context)}`);
  }
  return lines;
}

function fmtMs(ms) {
  return `${Math.round(ms * 100) / 100}ms`;
}

function fmtAttrs(attributes) {
  const entries = Object.entries(attributes ?? {});
  if (entries.length === 0) return '';
  return ` {${entries.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ')}}`;
}
