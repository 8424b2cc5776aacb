// The RPC callee of the streaming-tail test, behind a service binding of the watched Worker.
import { WorkerEntrypoint } from 'cloudflare:workers';

export default class Callee extends WorkerEntrypoint {
  add(a, b) {
    return a + b;
  }
}
