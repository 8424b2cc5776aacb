// The loopback collector the CPU benches export to: it answers 200 `{}` and counts, in the native
// JSON bodies it receives, the workload's log lines (`marker`) and spans (`"operationName"`), so a
// round can wait until every request's telemetry has arrived (its CPU is then in the round).
import { createServer } from 'node:http';

const SPAN = Buffer.from('"operationName"'); // one per span in native JSON
const QUIET_MS = 3000;

const count = (haystack, needle) => {
  let n = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) n++;
  return n;
};

export async function countingCollector(marker = Buffer.from('"handled"')) {
  const c = { handled: 0, spans: 0, missing: 0 };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      c.handled += count(body, marker);
      c.spans += count(body, SPAN);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  c.url = `http://127.0.0.1:${server.address().port}/ingest`;
  c.close = () => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(resolve);
  });
  let expected = 0;
  // Waits until every request so far has had its log line delivered; what never came within
  // QUIET_MS of the last progress is counted and reported.
  c.settle = async (requests) => {
    expected += requests;
    let seen = c.handled;
    for (let quiet = 0; c.handled < expected; quiet += 20) {
      if (c.handled !== seen) [seen, quiet] = [c.handled, 0];
      if (quiet > QUIET_MS) {
        c.missing += expected - c.handled;
        expected = c.handled;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return c;
}
