// An uninstrumented callee for the RPC tests: a Durable Object class and a named WorkerEntrypoint
// exposing the same methods (primitives, objects, an RpcTarget stub, streams both ways, thrown
// errors, a property getter, fetch). It never imports edgescope: what it reports is what any
// callee sees, with or without an instrumented caller.
import { DurableObject, RpcTarget, WorkerEntrypoint } from 'cloudflare:workers';

// Disposals of the counters handed out, per isolate: a counter is disposed when the caller's last
// stub to it is disposed (Workers RPC, "Resource management").
const disposed = [];

export class Counter extends RpcTarget {
  constructor(label, start) {
    super();
    this.label = label;
    this.value = start;
  }
  increment(by = 1) {
    this.value += by;
    return this.value;
  }
  get current() {
    return this.value;
  }
  [Symbol.dispose]() {
    disposed.push(this.label);
  }
}

// Reached as a property of the callee (`stub.tools.echoArgs()`): a call on a nested path.
export class Tools extends RpcTarget {
  echoArgs(...args) {
    return { count: args.length, args };
  }
}

class CustomError extends Error {
  constructor(message) {
    super(message);
    this.name = 'CustomError';
  }
}

const methods = {
  add(a, b) {
    return a + b;
  },
  describe(name) {
    return { name, nested: { list: [1, 2, 3], when: new Date(0) }, none: null, bytes: new Uint8Array([1, 2]) };
  },
  // What the callee received: how many arguments and each one (structured-cloned back).
  echoArgs(...args) {
    return { count: args.length, args };
  },
  makeCounter(label, start) {
    return new Counter(label, start);
  },
  // An object holding a stub and a plain field, for pipelining on a field of the result.
  holder(label) {
    return { label, counter: new Counter(label, 10) };
  },
  stream(chunks) {
    const encoder = new TextEncoder();
    let sent = 0;
    return new ReadableStream({
      pull(controller) {
        if (sent === chunks) return controller.close();
        controller.enqueue(encoder.encode(`chunk-${sent++};`));
      },
    });
  },
  async consume(stream) {
    return await new Response(stream).text();
  },
  fail(kind) {
    if (kind === 'type') throw new TypeError('wrong type given');
    if (kind === 'range') throw new RangeError('out of range');
    if (kind === 'custom') throw new CustomError('custom failure');
    throw new Error('plain failure');
  },
  async rejectLater() {
    await null;
    throw new Error('rejected after an await');
  },
  disposals() {
    return [...disposed];
  },
};

async function describeRequest(request) {
  const url = new URL(request.url);
  return Response.json(
    {
      method: request.method,
      path: url.pathname + url.search,
      body: request.method === 'GET' || request.method === 'HEAD' ? null : await request.text(),
      contentType: request.headers.get('content-type'),
      custom: request.headers.get('x-custom'),
      traceparent: request.headers.get('traceparent'),
      tracestate: request.headers.get('tracestate'),
    },
    { status: url.pathname === '/missing' ? 404 : 200, headers: { 'x-callee': 'yes' } },
  );
}

export class Store extends DurableObject {
  get version() {
    return 'store-v1';
  }
  get tools() {
    return new Tools();
  }
  fetch(request) {
    return describeRequest(request);
  }
}

export class Api extends WorkerEntrypoint {
  get version() {
    return 'api-v1';
  }
  get tools() {
    return new Tools();
  }
  fetch(request) {
    return describeRequest(request);
  }
}

for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Store.prototype, name, { value: fn, writable: true, configurable: true });
  Object.defineProperty(Api.prototype, name, { value: fn, writable: true, configurable: true });
}

export default {
  fetch() {
    return new Response('rpc callee');
  },
};
