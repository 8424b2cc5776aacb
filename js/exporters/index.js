// The exporters, two ways:
//   `exporters` (from 'edgescope')   one object with every exporter, as the README's examples use it;
//   'edgescope/exporters'           each exporter as its own named export, so a bundler keeps only
//                                   the ones a Worker calls. esbuild (wrangler's bundler) cannot
//                                   drop an object's unused members, so with the object every
//                                   Worker carries all four (about 1.9 KB gzipped more for one
//                                   exporters.http; scripts/size-measure.mjs measures both).
// The object is marked pure so a Worker that imports only the named exports does not keep it.
// Exporters are platform-free (no wasm), so this entry needs no runtime-specific variant.
import { console_ } from './console.js';
import { direct } from './direct.js';
import { http } from './http.js';
import { analyticsEngine } from './analytics-engine.js';

export const exporters = /* @__PURE__ */ Object.freeze({ http, direct, console: console_, analyticsEngine });
export { http, direct, console_ as console, analyticsEngine };
