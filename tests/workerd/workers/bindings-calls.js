// Every traced binding method, called the way a Worker calls it, each result described as JSON
// (values, metadata, R2 object fields, D1 results and the shape of their meta, classes, errors).
// Run by bindings-plain.js (no edgescope) and bindings-instrumented.js (instrument()); the test
// compares the two descriptions. Fields that differ between any two runs by nature (R2 upload
// dates, versions and upload ids, D1 timings) are described by their type only.

// The class a value was made with, and whether `instanceof` that class still holds.
function classOf(value) {
  if (value === null || typeof value !== 'object') return typeof value;
  return Object.getPrototypeOf(value)?.constructor?.name ?? 'null-prototype';
}

async function outcome(fn) {
  try {
    return { ok: await fn() };
  } catch (error) {
    return { threw: { class: classOf(error), name: error?.name, message: error?.message, isError: error instanceof Error } };
  }
}

const bytesOf = (buffer) => [...new Uint8Array(buffer)].join(',');
const typeOnly = (value) => (value instanceof Date ? 'Date' : typeof value);

async function describeR2(object) {
  if (object === null) return null;
  const out = {
    class: classOf(object),
    key: object.key,
    size: object.size,
    etag: object.etag,
    httpEtag: object.httpEtag,
    uploaded: typeOnly(object.uploaded),
    version: typeOnly(object.version),
    httpMetadata: object.httpMetadata,
    customMetadata: object.customMetadata,
    checksums: { md5: object.checksums?.md5 ? bytesOf(object.checksums.md5) : null },
    range: object.range ?? null,
    storageClass: object.storageClass,
    hasBody: 'body' in object,
  };
  if ('body' in object) {
    out.bodyIsStream = object.body instanceof ReadableStream;
    out.text = await object.text();
  }
  return out;
}

// D1 results: the rows, and the meta's keys with the values that are deterministic.
function describeD1(result) {
  if (result === null || typeof result !== 'object' || !('meta' in result)) return result;
  const { duration, timings, ...stable } = result.meta;
  return {
    class: classOf(result),
    success: result.success,
    results: result.results,
    metaKeys: Object.keys(result.meta).sort(),
    meta: stable,
    durationType: typeof duration,
    timingsType: typeof timings,
  };
}

async function streamText(stream) {
  return stream instanceof ReadableStream ? new Response(stream).text() : `not a stream: ${classOf(stream)}`;
}

// A stream of `text` whose length R2 knows up front (R2 refuses streams of unknown length).
function fixedStream(text) {
  const bytes = new TextEncoder().encode(text);
  const { readable, writable } = new FixedLengthStream(bytes.length);
  const writer = writable.getWriter();
  writer.write(bytes).then(() => writer.close());
  return readable;
}

export async function kvCalls(kv) {
  return {
    class: classOf(kv),
    putText: await outcome(() => kv.put('text', 'héllo ✓', { metadata: { tag: 'a' } })),
    putStream: await outcome(() => kv.put('stream', new Response('from a stream').body)),
    putBinary: await outcome(() => kv.put('binary', new Uint8Array([1, 2, 3]))),
    putJson: await outcome(() => kv.put('json', JSON.stringify({ a: [1, 2] }))),
    getText: await outcome(() => kv.get('text')),
    getMissing: await outcome(() => kv.get('missing')),
    getJson: await outcome(() => kv.get('json', 'json')),
    getJsonOptions: await outcome(() => kv.get('json', { type: 'json' })),
    getBinary: await outcome(async () => bytesOf(await kv.get('binary', 'arrayBuffer'))),
    getStream: await outcome(async () => streamText(await kv.get('stream', 'stream'))),
    getWithMetadata: await outcome(() => kv.getWithMetadata('text')),
    getWithMetadataMissing: await outcome(() => kv.getWithMetadata('missing')),
    list: await outcome(async () => {
      const listed = await kv.list({ prefix: '' });
      return { keys: listed.keys, complete: listed.list_complete };
    }),
    delete: await outcome(() => kv.delete('json')),
    afterDelete: await outcome(() => kv.get('json')),
    badKey: await outcome(() => kv.get('')),
    badType: await outcome(() => kv.get('text', 'nonsense')),
    bindingInstanceof: kv instanceof Object.getPrototypeOf(kv).constructor,
    tag: Object.prototype.toString.call(kv),
  };
}

export async function r2Calls(r2) {
  const out = { class: classOf(r2) };
  out.putText = await outcome(async () =>
    describeR2(await r2.put('a.txt', 'hello r2', { httpMetadata: { contentType: 'text/plain' }, customMetadata: { by: 'test' } })),
  );
  out.putStream = await outcome(async () => describeR2(await r2.put('stream.txt', fixedStream('streamed body'))));
  out.get = await outcome(async () => describeR2(await r2.get('a.txt')));
  out.getStream = await outcome(async () => describeR2(await r2.get('stream.txt')));
  out.getRange = await outcome(async () => describeR2(await r2.get('a.txt', { range: { offset: 1, length: 3 } })));
  out.getMissing = await outcome(async () => describeR2(await r2.get('nope')));
  out.head = await outcome(async () => describeR2(await r2.head('a.txt')));
  out.headMissing = await outcome(async () => describeR2(await r2.head('nope')));
  out.list = await outcome(async () => {
    const listed = await r2.list();
    return { class: classOf(listed), keys: listed.objects.map((o) => [o.key, o.size, classOf(o)]), truncated: listed.truncated };
  });
  out.multipart = await outcome(async () => {
    const upload = await r2.createMultipartUpload('big.bin');
    const part = await upload.uploadPart(1, 'part one');
    const resumed = r2.resumeMultipartUpload('big.bin', upload.uploadId);
    const done = await resumed.complete([part]);
    return {
      class: classOf(upload),
      key: upload.key,
      uploadIdType: typeof upload.uploadId,
      part: { partNumber: part.partNumber, etagType: typeof part.etag },
      resumedClass: classOf(resumed),
      resumedKey: resumed.key,
      done: await describeR2(done),
      text: await (await r2.get('big.bin')).text(),
    };
  });
  out.abort = await outcome(async () => {
    const upload = await r2.createMultipartUpload('aborted.bin');
    return { aborted: await upload.abort(), afterAbort: await outcome(() => upload.uploadPart(1, 'late')) };
  });
  out.delete = await outcome(() => r2.delete(['a.txt', 'nope']));
  out.afterDelete = await outcome(async () => describeR2(await r2.get('a.txt')));
  out.putUnknownLength = await outcome(async () => describeR2(await r2.put('unknown-length', new Response('no length').body)));
  out.badGet = await outcome(() => r2.get('x', { range: { offset: -1 } }));
  return out;
}

export async function d1Calls(db) {
  const out = { class: classOf(db) };
  out.exec = await outcome(async () => {
    const result = await db.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, price REAL)');
    return { count: result.count, durationType: typeof result.duration };
  });
  const insert = db.prepare('INSERT INTO items (name, price) VALUES (?1, ?2)');
  out.statementClass = classOf(insert);
  out.run = await outcome(async () => describeD1(await insert.bind('apple', 1.5).run()));
  out.batch = await outcome(async () =>
    (await db.batch([insert.bind('pear', 2), insert.bind('plum', 3), db.prepare('SELECT count(*) AS n FROM items')])).map(describeD1),
  );
  const select = db.prepare('SELECT id, name, price FROM items WHERE price >= ? ORDER BY id');
  out.all = await outcome(async () => describeD1(await select.bind(2).all()));
  out.allNone = await outcome(async () => describeD1(await select.bind(100).all()));
  out.first = await outcome(() => select.bind(0).first());
  out.firstColumn = await outcome(() => select.bind(0).first('name'));
  out.firstNone = await outcome(() => select.bind(100).first());
  out.raw = await outcome(() => select.bind(0).raw());
  out.rawColumns = await outcome(() => select.bind(0).raw({ columnNames: true }));
  out.session = await outcome(async () => {
    const session = db.withSession('first-primary');
    const row = await session.prepare('SELECT name FROM items WHERE id = ?').bind(1).first();
    return { class: classOf(session), row, bookmarkType: typeof session.getBookmark() };
  });
  out.syntaxError = await outcome(() => db.prepare('SELEC nothing').all());
  out.bindError = await outcome(() => select.bind({ not: 'bindable' }).all());
  out.execError = await outcome(() => db.exec('DROP TABLE nowhere'));
  out.dumpType = typeof db.dump;
  return out;
}

export async function cacheCalls(storage) {
  const out = { class: classOf(storage), defaultClass: classOf(storage.default), sameDefault: storage.default === storage.default };
  const cache = storage.default;
  const url = 'https://example.com/cached';
  out.put = await outcome(() =>
    cache.put(url, new Response(new Response('cached body').body, { headers: { 'cache-control': 'max-age=600', 'x-a': '1' } })),
  );
  out.match = await outcome(async () => {
    const response = await cache.match(url);
    return {
      class: classOf(response),
      isResponse: response instanceof Response,
      status: response.status,
      header: response.headers.get('x-a'),
      bodyIsStream: response.body instanceof ReadableStream,
      text: await response.text(),
    };
  });
  out.matchMissing = await outcome(() => cache.match('https://example.com/none'));
  out.delete = await outcome(() => cache.delete(url));
  out.deleteMissing = await outcome(() => cache.delete(url));
  out.badPut = await outcome(() => cache.put(new Request(url, { method: 'POST' }), new Response('x')));
  out.named = await outcome(async () => {
    const named = await storage.open('named');
    await named.put('https://example.com/n', new Response('n', { headers: { 'cache-control': 'max-age=60' } }));
    const hit = await named.match('https://example.com/n');
    return { class: classOf(named), text: await hit.text(), elsewhere: (await cache.match('https://example.com/n')) ?? null };
  });
  return out;
}

export async function queueCalls(queue) {
  return {
    class: classOf(queue),
    send: await outcome(() => queue.send({ hello: 'queue' })),
    sendOptions: await outcome(() => queue.send('text', { contentType: 'text' })),
    sendBatch: await outcome(() => queue.sendBatch([{ body: 1 }, { body: 'two' }])),
    sendBadContentType: await outcome(() => queue.send('x', { contentType: 'nonsense' })),
    sendBatchBadContentType: await outcome(() => queue.sendBatch([{ body: 'x', contentType: 'nonsense' }])),
    sendBatchBad: await outcome(() => queue.sendBatch('not messages')),
  };
}

export async function analyticsCalls(dataset) {
  return {
    class: classOf(dataset),
    write: await outcome(() => dataset.writeDataPoint({ blobs: ['a', 'b'], doubles: [1, 2], indexes: ['i'] })),
    writeEmpty: await outcome(() => dataset.writeDataPoint()),
    writeTooManyIndexes: await outcome(() => dataset.writeDataPoint({ indexes: ['a', 'b'] })),
  };
}

export async function aiCalls(ai) {
  return {
    class: classOf(ai),
    // Miniflare cannot run Workers AI locally: the binding throws the same error either way.
    run: await outcome(() => ai.run('@cf/meta/llama-3.1-8b-instruct', { prompt: 'hello' })),
  };
}

export async function allCalls(env, caches) {
  return {
    kv: await kvCalls(env.KV),
    r2: await r2Calls(env.BUCKET),
    d1: await d1Calls(env.DB),
    cache: await cacheCalls(caches),
    queue: await queueCalls(env.QUEUE),
    analytics: await analyticsCalls(env.ANALYTICS),
    ai: await aiCalls(env.AI),
    vars: { text: env.TEXT, keys: Object.keys(env).sort() },
  };
}
