// EXPERIMENTAL: Streaming Tail Worker support (see handler.js). The wasm module is provided by the
// package entry that imports this (edgescope's workerd / node entries).
export { tailStreamHandler } from './handler.js';
