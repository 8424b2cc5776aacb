import { createTelemetry, exporters } from 'edgescope';

// An exporter that keeps decoded native payloads in memory.
export function memoryExporter() {
  const docs = [];
  return {
    docs,
    exporter: {
      name: 'memory',
      format: 'native',
      endpoint: 'memory',
      async send(payloads) {
        return payloads.map((p) => {
          docs.push({ ...JSON.parse(new TextDecoder().decode(p.body)), bytes: p.body.length });
          return { ok: true, records: p.records };
        });
      },
    },
    get spans() {
      return docs.flatMap((d) => d.spans ?? []);
    },
    get metrics() {
      return docs.flatMap((d) => d.metrics ?? []);
    },
    get logs() {
      return docs.flatMap((d) => d.logs ?? []);
    },
  };
}

// Captures console.<method> lines while fn runs.
export async function captureConsole(method, fn) {
  const original = console[method];
  const lines = [];
  console[method] = (...args) => lines.push(args.join(' '));
  try {
    await fn();
  } finally {
    console[method] = original;
  }
  return lines;
}

export const quietConsoleExporter = () => exporters.console({ write() {} });

// A Telemetry exporting to both wire formats at once; every payload is kept as
// { format, signal, text } in `bodies`.
export function bothFormats(config) {
  const bodies = [];
  const exporter = (format) => ({
    name: format,
    format,
    endpoint: format,
    async send(payloads) {
      return payloads.map((p) => {
        bodies.push({ format, signal: p.signal, text: new TextDecoder().decode(p.body) });
        return { ok: true, records: p.records };
      });
    },
  });
  const t = createTelemetry({ service: 'svc', requestMetrics: false, ...config, exporters: [exporter('native'), exporter('otlp-json')] });
  return { t, bodies };
}

// An exporter that delivers every payload and hands each one, with its parsed body, to `sink`.
export function keepingExporter(format, sink) {
  return {
    name: `memory-${format}`,
    format,
    endpoint: 'memory',
    async send(payloads) {
      return payloads.map((p) => {
        sink(p, JSON.parse(new TextDecoder().decode(p.body)));
        return { ok: true, records: p.records };
      });
    },
  };
}
