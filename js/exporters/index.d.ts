// 'edgescope/exporters': each exporter as a named export (js/exporters/index.js says why), typed as
// the members of `exporters` from 'edgescope'.
import type { exporters as all } from '../index.js';

export const http: typeof all.http;
export const direct: typeof all.direct;
export const console: typeof all.console;
export const analyticsEngine: typeof all.analyticsEngine;
export const exporters: typeof all;
