import { console_ } from './console.js';
import { direct } from './direct.js';
import { http } from './http.js';
import { analyticsEngine } from './analytics-engine.js';

export const exporters = Object.freeze({ http, direct, console: console_, analyticsEngine });
