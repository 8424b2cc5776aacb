export { default } from './differential-origin-handler.js';
