// The differential handler as is: the reference for what the client must get.
export { default } from './differential-handler.js';
