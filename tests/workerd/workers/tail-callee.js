// The callee behind tail-watched.js's service bindings (RPC to Accounts, fetch to the default
// entrypoint), itself watched by the tail Worker: its invocations are TraceItems of their own.
import { WorkerEntrypoint } from 'cloudflare:workers';

export class Accounts extends WorkerEntrypoint {
  profile(name) {
    console.log('profile for', name);
    return { name };
  }
}

export default {
  fetch() {
    console.log('callee fetch');
    return new Response('callee');
  },
};
