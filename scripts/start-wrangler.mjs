// `npm start`'s wrangler processes: each in a process group of its own, its output prefixed with a
// label, stopped as a group so the workerd (and esbuild) it spawned go with it.
//
// Why a group per wrangler: wrangler dev starts workerd as a child. Stopping wrangler alone can
// leave workerd running when wrangler is killed before its own cleanup ran; a signal to the
// negative pid (POSIX kill(2): every process in the group) reaches all of them. The cost: Ctrl-C
// in the terminal reaches only this script (the groups are not the terminal's foreground group),
// which is why start.mjs passes it on through stop().
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';

const WRANGLER_BIN = join(dirname(createRequire(import.meta.url).resolve('wrangler/package.json')), 'bin', 'wrangler.js');
// SIGTERM lets wrangler dispose of its workerd; a group still alive after this gets SIGKILL.
const STOP_GRACE_MS = 5000;

// `[wrangler:info] GET /api/items 200 OK (12ms)`: one line per request served.
const REQUEST_LINE = /^\[wrangler:info\] [A-Z]+ \S+ \d{3}\b/;

const running = new Set();

// Last resort when this script exits any other way (an uncaught error): nothing is left behind.
process.on('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
}

// `[wrangler:error] <message>` then its stack, one `    at ...` line per frame.
const ERROR_LINE = /^\[wrangler:error\] (.*)$/;
const STACK_LINE = /^\s+at /;

function pipeLines(stream, label, { quietRequests, expectedErrors, collect }) {
  let inExpectedError = false;
  createInterface({ input: stream }).on('line', (line) => {
    collect?.push(line);
    if (inExpectedError && STACK_LINE.test(line)) return;
    inExpectedError = expectedErrors.includes(ERROR_LINE.exec(line)?.[1]);
    if (inExpectedError) return;
    if (quietRequests && REQUEST_LINE.test(line)) return;
    if (line.trim() !== '') console.log(`[${label}] ${line}`);
  });
}

// Runs `wrangler <args>`; resolves to { child, exited } where exited resolves to the exit code.
// quietRequests: leave out wrangler's per-request lines. expectedErrors: exception messages
// (`Error: ...`) whose wrangler:error report and stack are left out. collect: an array that gets every line
// (printed or not), for a caller that reports them only on failure. print: false prints nothing.
export function runWrangler(args, { label, quietRequests = false, expectedErrors = [], collect, print = true, env = {} }) {
  const child = spawn(process.execPath, [WRANGLER_BIN, ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', ...env },
  });
  running.add(child);
  if (print) {
    pipeLines(child.stdout, label, { quietRequests, expectedErrors, collect });
    pipeLines(child.stderr, label, { quietRequests, expectedErrors, collect });
  } else {
    for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', (line) => collect?.push(line));
  }
  const exited = new Promise((resolve) => {
    child.once('error', (error) => {
      console.error(`[${label}] cannot run wrangler: ${error.message}`);
      running.delete(child);
      resolve(1);
    });
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
  return { child, exited, label };
}

// Stops a runWrangler process and everything it started; resolves once the group is gone.
export async function stopWrangler(proc) {
  if (!running.has(proc.child)) {
    killGroup(proc.child, 'SIGKILL'); // wrangler is gone; anything it left in its group goes too
    return;
  }
  killGroup(proc.child, 'SIGTERM');
  const timedOut = await Promise.race([proc.exited.then(() => false), new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS, true))]);
  // wrangler has exited (or would not): whatever is left in its group (workerd) goes now.
  killGroup(proc.child, 'SIGKILL');
  if (timedOut) {
    console.error(`[${proc.label}] wrangler did not stop within ${STOP_GRACE_MS / 1000} s of SIGTERM; killed`);
    await proc.exited;
  }
}
