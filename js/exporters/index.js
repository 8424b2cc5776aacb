import { console_ } from './console.js';
import { direct } from './direct.js';
import { http } from './http.js';

export const exporters = Object.freeze({ http, direct, console: console_ });
