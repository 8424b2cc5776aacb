import { exporters } from 'edgescope';

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
