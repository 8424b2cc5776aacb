// Run a Worker that imports edgescope in workerd (through Miniflare) the way wrangler would:
// bundled with esbuild under the `workerd` condition, each .wasm import kept as a compiled wasm
// module (Workers cannot compile wasm from bytes at run time).
import { readFileSync } from 'node:fs';
import { basename, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkMiniflareVersion, defaultCompatibilityDate } from './compatibility.js';

export async function bundleWorker(entry, { define, external = [] } = {}) {
  const esbuild = await import('esbuild');
  const wasm = new Map();
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    // cloudflare:* modules are the runtime's own (wrangler leaves them external too).
    external: ['cloudflare:*', ...external],
    define,
    logLevel: 'silent',
    plugins: [
      {
        name: 'compiled-wasm',
        setup(build) {
          build.onResolve({ filter: /\.wasm$/ }, (args) => {
            const absolute = resolvePath(args.resolveDir, args.path);
            const name = basename(absolute);
            wasm.set(name, absolute);
            return { path: `./${name}`, external: true };
          });
        },
      },
    ],
  });
  const modules = [{ type: 'ESModule', path: 'worker.mjs', contents: result.outputFiles[0].text }];
  for (const [name, absolute] of wasm) modules.push({ type: 'CompiledWasm', path: name, contents: readFileSync(absolute) });
  return { modules, size: result.outputFiles[0].contents.length };
}

// Starts the Worker in a fresh workerd isolate. `bundle` (from bundleWorker) may be reused across
// starts; `entry` bundles on the fly. `kvNamespaces` (['NAME']) and `durableObjects`
// ({ NAME: 'ClassName' } or { NAME: { className, useSQLite } }; SQLite storage by default, as
// `new_sqlite_classes` gives in wrangler) are Miniflare's real implementations; `persist` (a
// directory) keeps KV and Durable Object storage across starts, so a test can replace the isolate
// and keep the data, as a new deployment or an evicted isolate does; `miniflare` adds any other
// Miniflare option.
export async function startWorker({
  entry,
  bundle,
  bindings = {},
  kvNamespaces,
  durableObjects,
  persist,
  miniflare = {},
  compatibilityDate,
  compatibilityFlags = [],
  log = false,
  onOutput,
} = {}) {
  const miniflareModule = await importMiniflare();
  const { Miniflare, Log, LogLevel } = miniflareModule;
  const built = bundle ?? (await bundleWorker(entry));
  const mf = new Miniflare({
    modules: built.modules,
    modulesRoot: '/',
    compatibilityDate: compatibilityDate ?? defaultCompatibilityDate(miniflareModule),
    compatibilityFlags,
    bindings,
    kvNamespaces,
    durableObjects: durableObjects && sqliteByDefault(durableObjects),
    ...(persist ? { kvPersist: `${persist}/kv`, durableObjectsPersist: `${persist}/do` } : {}),
    ...miniflare,
    log: log ? new Log(LogLevel.INFO) : undefined,
    // The Worker's console output, line by line (console.log/warn/error from workerd).
    handleRuntimeStdio: onOutput
      ? (stdout, stderr) => {
          for (const [stream, name] of [[stdout, 'stdout'], [stderr, 'stderr']]) {
            let pending = '';
            stream.on('data', (chunk) => {
              pending += chunk;
              const lines = pending.split('\n');
              pending = lines.pop();
              for (const line of lines) onOutput(line, name);
            });
          }
        }
      : undefined,
  });
  const url = await mf.ready;
  return {
    mf,
    bundle: built,
    url: url.href.replace(/\/$/, ''),
    fetch: (path = '/', init) => mf.dispatchFetch(new URL(path, url).href, init),
    async scheduled(cron = '* * * * *') {
      const worker = await mf.getWorker();
      return worker.scheduled({ cron });
    },
    async queue(queueName, messages) {
      const worker = await mf.getWorker();
      return worker.queue(queueName, messages);
    },
    dispose: () => mf.dispose(),
  };
}

function sqliteByDefault(durableObjects) {
  return Object.fromEntries(
    Object.entries(durableObjects).map(([name, value]) => [name, typeof value === 'string' ? { className: value, useSQLite: true } : { useSQLite: true, ...value }]),
  );
}

// Miniflare is a peer dependency: a clear error when it is missing or outside the supported range.
// EDGESCOPE_MINIFLARE (a path to another copy's package folder) lets the compatibility check run
// the suite against another supported version (scripts/compat.sh).
export async function importMiniflare() {
  const override = process.env.EDGESCOPE_MINIFLARE;
  let module;
  let version;
  try {
    if (override) {
      const { createRequire } = await import('node:module');
      const require = createRequire(`${resolvePath(override)}/`);
      version = require('./package.json').version;
      module = await import(pathToFileURL(require.resolve('./')).href);
    } else {
      module = await import('miniflare');
      const { createRequire } = await import('node:module');
      version = createRequire(import.meta.url)('miniflare/package.json').version;
    }
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND' || error?.code === 'MODULE_NOT_FOUND') {
      throw new Error(`edgescope/testing needs miniflare to run Workers: npm install --save-dev miniflare@4 (${error.message})`);
    }
    throw error;
  }
  checkMiniflareVersion(version);
  return module;
}
