// A stable id per exporter: entries name the exporter they are for, so a replay goes back to the
// same endpoint and format. Two identical exporters get distinct ids by position.
export function exporterIds(exporters) {
  const seen = new Map();
  return exporters.map((exporter) => {
    const base = `${exporter.name ?? 'exporter'}|${exporter.format ?? ''}|${exporter.endpoint ?? ''}`.slice(0, 240);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n === 0 ? base : `${base}#${n}`;
  });
}

