// Run a Worker that imports edgescope in workerd (through Miniflare) the way wrangler would:
// bundled with esbuild under the `workerd` condition, each .wasm import kept as a compiled wasm
// module (Workers cannot compile wasm from bytes at run time), with the bindings, compatibility
// date and flags, and entry point a wrangler configuration file declares, read by wrangler itself.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  checkMiniflareVersion,
  checkWranglerExports,
  checkWranglerVersion,
  defaultCompatibilityDate,
  importPeer,
} from './compatibility.js';

// esbuild options for a Worker, as wrangler bundles one: ESM for the `workerd` export condition,
// runtime modules (`cloudflare:*`, and `node:*` under a Node.js compatibility flag) left for
// workerd to provide. `external` adds more.
export async function bundleWorker(entry, { define, external = [] } = {}) {
  if (typeof entry !== 'string' || entry === '') throw new TypeError(`bundleWorker(entry): expected the path of the Worker's entry module, got ${describe(entry)}`);
  const esbuild = await importPeer('esbuild', 'to bundle your Worker');
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

// Starts the Worker in a fresh workerd isolate.
//
// What runs: `bundle` (from bundleWorker; may be reused across starts), else `entry` (bundled on
// the fly), else the configuration file's `main`.
//
// The configuration file (`config`): a path to wrangler.toml / wrangler.json / wrangler.jsonc,
// read and validated by wrangler (an optional peer) into the options `wrangler dev` gives
// Miniflare: vars (and .dev.vars), KV, D1, R2, Durable Objects, queues, service bindings, assets,
// compatibility date and flags, `define`, `main`; `environment` picks a `[env.<name>]` section.
// With neither `config`, `entry` nor `bundle`, the file is looked up from the working directory
// upwards, as `wrangler dev` does. With `entry` or `bundle` and no `config`, no file is read (so
// a test that names its Worker gets exactly the options it passes). `config: false` never reads one.
//
// Explicit options win over the file, binding by binding: `bindings` (vars), `kvNamespaces`,
// `d1Databases`, `r2Buckets`, `durableObjects`, `serviceBindings` (each an array of names or a
// record as Miniflare takes it); `compatibilityDate`, `compatibilityFlags` (replaces the file's
// list) and `define` (merged over the file's). `miniflare` adds any other Miniflare option, last.
//
// Explicit `durableObjects` ({ NAME: 'ClassName' } or { NAME: { className, useSQLite } }) get
// SQLite storage by default, as `new_sqlite_classes` gives in wrangler; the file's follow its
// migrations. `persist` (a directory) keeps KV, D1, R2 and Durable Object storage across starts,
// so a test can replace the isolate and keep the data, as a new deployment or an evicted isolate does.
export async function startWorker(options = {}) {
  const {
    entry,
    bundle,
    config,
    environment,
    bindings = {},
    kvNamespaces,
    d1Databases,
    r2Buckets,
    durableObjects,
    serviceBindings,
    persist,
    miniflare = {},
    compatibilityDate,
    compatibilityFlags,
    define,
    log = false,
    onOutput,
  } = options;
  if (config !== undefined && config !== false && (typeof config !== 'string' || config === '')) {
    throw new TypeError(`startWorker({ config }): expected the path of a wrangler.toml, wrangler.json or wrangler.jsonc file, or false, got ${describe(config)}`);
  }
  const miniflareModule = await importMiniflare();
  const { Miniflare, Log, LogLevel } = miniflareModule;
  const file = await readWranglerConfig({ config, environment, named: entry !== undefined || bundle !== undefined });
  const fileOptions = file?.workerOptions ?? {};

  const flags = compatibilityFlags ?? fileOptions.compatibilityFlags ?? [];
  const main = entry ?? file?.main;
  if (bundle === undefined && main === undefined) {
    throw new TypeError(
      file
        ? `startWorker: ${file.path} has no \`main\`; set it, or pass \`entry\` or \`bundle\``
        : 'startWorker: pass `entry` (the Worker\'s entry module), `bundle` (from bundleWorker) or `config` (a wrangler configuration file with `main`)',
    );
  }
  // Bindings to other Workers are checked before the (slower) bundling.
  const targets = {
    durableObjects: merge(fileOptions.durableObjects, durableObjects && sqliteByDefault(durableObjects)),
    serviceBindings: merge(fileOptions.serviceBindings, serviceBindings),
  };
  if (file) checkLocalTargets(targets, file);
  const built =
    bundle ??
    (await bundleWorker(main, {
      define: { ...file?.define, ...define },
      // Under a Node.js compatibility flag workerd provides node:* modules (wrangler leaves
      // them to the runtime the same way).
      external: flags.some((flag) => NODE_COMPAT_FLAGS.has(flag)) ? ['node:*'] : [],
    }));

  const { modulesRules: _rules, ...fromFile } = fileOptions; // the bundle lists its modules itself
  const workerOptions = {
    ...fromFile,
    ...(file?.name ? { name: file.name } : {}),
    modules: built.modules,
    modulesRoot: '/',
    compatibilityDate: compatibilityDate ?? supportedDate(fileOptions.compatibilityDate, miniflareModule) ?? defaultCompatibilityDate(miniflareModule),
    compatibilityFlags: flags,
    bindings: { ...fileOptions.bindings, ...bindings },
    kvNamespaces: merge(fileOptions.kvNamespaces, kvNamespaces),
    d1Databases: merge(fileOptions.d1Databases, d1Databases),
    r2Buckets: merge(fileOptions.r2Buckets, r2Buckets),
    ...targets,
    ...(persist ? persistOptions(persist) : {}),
  };
  const mf = new Miniflare({
    ...workerOptions,
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
  let url;
  try {
    url = await mf.ready;
  } catch (error) {
    // A runtime that refused the configuration leaves nothing running behind it.
    await mf.dispose().catch(() => {});
    throw new Error(`startWorker: workerd did not start${file ? ` (configuration from ${file.path})` : ''}: ${error.message}`, { cause: error });
  }
  return {
    mf,
    bundle: built,
    url: url.href.replace(/\/$/, ''),
    /** The configuration file read, or null. */
    config: file?.path ?? null,
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

// workerd's compatibility flags under which `node:*` imports resolve to runtime modules
// (developers.cloudflare.com/workers/runtime-apis/nodejs/).
const NODE_COMPAT_FLAGS = new Set(['nodejs_compat', 'nodejs_compat_v2', 'nodejs_als']);

// The wrangler configuration, as wrangler reads it: null when none is to be read.
async function readWranglerConfig({ config, environment, named }) {
  const read = config !== false && !(config === undefined && named);
  if (environment !== undefined && (!read || typeof environment !== 'string' || environment === '')) {
    throw new TypeError(
      read
        ? `startWorker({ environment }): expected the name of an [env.<name>] section, got ${describe(environment)}`
        : 'startWorker({ environment }): an environment is a section of a wrangler configuration file; pass `config` too',
    );
  }
  if (!read) return null;
  const path = config === undefined ? undefined : resolvePath(config);
  if (path !== undefined && !existsSync(path)) throw new Error(`startWorker({ config }): ${path} does not exist`);
  let wrangler;
  try {
    wrangler = await importWrangler();
  } catch (error) {
    if (path !== undefined) throw error;
    // Nothing named at all, and no wrangler to look for a configuration with.
    throw new TypeError(`startWorker: pass \`entry\`, \`bundle\` or \`config\` (looking for a wrangler configuration by itself needs wrangler: ${error.message})`, { cause: error });
  }
  let parsed;
  try {
    // readConfig finds wrangler.json, wrangler.jsonc or wrangler.toml from the working directory
    // upwards when no path is given, parses and validates it (the errors `wrangler dev` prints).
    parsed = wrangler.unstable_readConfig({ config: path, env: environment });
  } catch (error) {
    // wrangler's ParseError says which parser failed only in telemetryMessage ("TOML parse error").
    const parser = /parse error$/i.test(error?.telemetryMessage ?? '') ? `${error.telemetryMessage}: ` : '';
    throw new Error(`startWorker: cannot read wrangler configuration ${where(error, path)}: ${parser}${error.text ?? error.message}${notes(error)}`, { cause: error });
  }
  if (!parsed.configPath) {
    throw new TypeError(
      `startWorker: pass \`entry\`, \`bundle\` or \`config\`; no wrangler.json, wrangler.jsonc or wrangler.toml found in ${process.cwd()} or its parents`,
    );
  }
  let options;
  try {
    options = wrangler.unstable_getMiniflareWorkerOptions(parsed, environment);
  } catch (error) {
    throw new Error(`startWorker: wrangler could not turn ${parsed.configPath} into Worker options: ${error.message}`, { cause: error });
  }
  return { path: parsed.configPath, name: parsed.name, main: options.main, define: options.define, workerOptions: options.workerOptions };
}

// A ParseError carries the file and position; show them as file:line:column and the line itself.
function where(error, path) {
  const location = error?.location;
  if (!location?.file) return path ?? '';
  const line = location.line ? `:${location.line}${location.column !== undefined ? `:${location.column + 1}` : ''}` : '';
  return `${location.file}${line}${location.lineText ? ` (\`${location.lineText.trim()}\`)` : ''}`;
}

function notes(error) {
  return Array.isArray(error?.notes) && error.notes.length > 0 ? ` (${error.notes.map((n) => n.text).join('; ')})` : '';
}

// Bindings that point at another Worker need that Worker running next to this one (wrangler dev
// finds it through its dev registry; this harness runs one Worker). Say which binding, and how to
// stand in for it, before workerd refuses the whole configuration with a less specific message.
function checkLocalTargets(targets, file) {
  const own = file.name;
  for (const [binding, target] of Object.entries(targets.serviceBindings ?? {})) {
    // A function (answered in Node) or another designator is no Worker name.
    const name = typeof target === 'string' ? target : typeof target === 'object' && target !== null ? target.name : undefined;
    if (typeof name === 'string' && name !== own) {
      throw new Error(
        `startWorker: ${file.path} binds service ${binding} to the Worker "${name}", which this harness does not run; pass serviceBindings: { ${binding}: async (request) => new Response(...) } (or any Miniflare service) to stand in for it`,
      );
    }
  }
  for (const [binding, target] of Object.entries(targets.durableObjects ?? {})) {
    if (typeof target === 'object' && target?.scriptName !== undefined && target.scriptName !== own) {
      throw new Error(
        `startWorker: ${file.path} binds Durable Object ${binding} to class ${target.className} of the Worker "${target.scriptName}", which this harness does not run; pass durableObjects: { ${binding}: '<a class your Worker exports>' } to stand in for it`,
      );
    }
  }
}

// Binding lists as Miniflare takes them (an array of names, or a record) merged by binding name,
// the explicit ones last. Undefined when neither says anything.
function merge(fromFile, explicit) {
  if (fromFile === undefined && explicit === undefined) return undefined;
  if (fromFile === undefined) return explicit;
  return { ...asRecord(fromFile), ...asRecord(explicit) };
}

function asRecord(list) {
  if (list === undefined) return {};
  // Miniflare's array form: each name is its own id.
  return Array.isArray(list) ? Object.fromEntries(list.map((name) => [name, name])) : list;
}

function persistOptions(persist) {
  // Absolute: Miniflare resolves relative paths against the configuration's folder (rootPath).
  const root = resolvePath(persist);
  return { kvPersist: `${root}/kv`, d1Persist: `${root}/d1`, r2Persist: `${root}/r2`, durableObjectsPersist: `${root}/do` };
}

function sqliteByDefault(durableObjects) {
  return Object.fromEntries(
    Object.entries(durableObjects).map(([name, value]) => [name, typeof value === 'string' ? { className: value, useSQLite: true } : { useSQLite: true, ...value }]),
  );
}

function describe(value) {
  return typeof value === 'string' ? JSON.stringify(value) : value === null ? 'null' : typeof value;
}

// Miniflare is a peer dependency: a clear error when it is missing or outside the supported range.
// EDGESCOPE_MINIFLARE (a path to another copy's package folder) lets the compatibility check run
// the suite against another supported version (scripts/compat.sh).
export async function importMiniflare() {
  const override = process.env.EDGESCOPE_MINIFLARE;
  let module;
  let version;
  if (override) {
    const require = createRequire(`${resolvePath(override)}/`);
    version = require('./package.json').version;
    module = await import(pathToFileURL(require.resolve('./')).href);
  } else {
    module = await importPeer('miniflare', 'to run Workers', { install: 'miniflare@4' });
    version = createRequire(import.meta.url)('miniflare/package.json').version;
  }
  checkMiniflareVersion(version);
  return module;
}

// wrangler is an optional peer, imported only to read a configuration file.
let wranglerModule = null;
export async function importWrangler() {
  if (wranglerModule) return wranglerModule;
  const module = await importPeer('wrangler', 'to read a wrangler configuration file (startWorker `config`)', { install: 'wrangler@4' });
  const version = createRequire(import.meta.url)('wrangler/package.json').version;
  checkWranglerVersion(version);
  checkWranglerExports(module, version);
  wranglerModule = module;
  return module;
}

// A configuration's date newer than the running workerd supports: `wrangler dev` warns and falls
// back to the newest supported date, and so does the harness (workerd refuses a future date).
function supportedDate(date, miniflare) {
  const supported = miniflare?.supportedCompatibilityDate;
  if (typeof date !== 'string' || typeof supported !== 'string' || date <= supported) return date;
  console.warn(`[edgescope/testing] compatibility_date ${date} is newer than this Miniflare's workerd supports; using ${supported}, as wrangler dev does`);
  return supported;
}
