// Records a V8 sampling CPU profile of a Worker's isolate through the inspector Miniflare opens
// (start the Worker with `miniflare: { inspectorPort }`): the Chrome DevTools protocol's Profiler
// domain over the inspector's WebSocket. Used by bench/workerd-profile.mjs and
// bench/cold-profile.mjs; their tables come from bench/profile-tables.mjs.
import WebSocket from 'ws';

// Runs `work()` with the profiler sampling every `intervalUs` and resolves to the .cpuprofile
// object. The user Worker is the inspector's first target; Miniflare's own services follow.
export async function profileWhile(port, intervalUs, work) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let id = 0;
  const waiting = new Map();
  ws.on('message', (data) => {
    const message = JSON.parse(data);
    waiting.get(message.id)?.(message);
    waiting.delete(message.id);
  });
  const send = (method, params = {}) =>
    new Promise((resolve) => {
      waiting.set(++id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  try {
    await send('Profiler.enable');
    await send('Profiler.setSamplingInterval', { interval: intervalUs });
    await send('Profiler.start');
    await work();
    const { result } = await send('Profiler.stop');
    return result.profile;
  } finally {
    ws.close();
  }
}
