// R2 (R2Bucket): get, head, put, list, delete and multipart uploads as CLIENT spans
// (db.system.name 'cloudflare.r2', db.namespace = the binding name). get and head are lookups:
// source tier 'r2' with the object's size as bytes when an object came back, 'miss' for null.
// Bodies are never touched: a stream given to put and the body of a get go their way unread.
import { bindingProxy, dbAttributes } from './binding-proxy.js';
import { recordLookup, tracedCall } from './call-span.js';

export function wrapR2(bucket, name, scope) {
  const call = (operation, invoke, settled) =>
    tracedCall(scope, `${operation} ${name}`, 'client', dbAttributes('cloudflare.r2', 'r2', name, operation), invoke, settled);
  const lookup = (span, object, ms) => recordLookup(scope, span, 'r2', object !== null && object !== undefined, ms, object?.size);
  return bindingProxy(bucket, {
    get: (...args) => call('get', () => bucket.get(...args), lookup),
    head: (...args) => call('head', () => bucket.head(...args), lookup),
    put: (...args) => call('put', () => bucket.put(...args)),
    list: (...args) => call('list', () => bucket.list(...args), (span, result) => {
      if (Array.isArray(result?.objects)) span.setAttribute('db.response.returned_rows', result.objects.length);
    }),
    delete: (...args) => call('delete', () => bucket.delete(...args)),
    createMultipartUpload: (...args) =>
      call('createMultipartUpload', () => bucket.createMultipartUpload(...args)).then((upload) => wrapUpload(upload, name, scope)),
    // Synchronous in the runtime (no I/O until a part is sent): traced all the same, so an
    // upload's spans show where it was resumed.
    resumeMultipartUpload: (...args) => wrapUpload(call('resumeMultipartUpload', () => bucket.resumeMultipartUpload(...args)), name, scope),
  });
}

// An R2MultipartUpload: uploadPart, complete and abort traced; uploadId and key are its own.
function wrapUpload(upload, name, scope) {
  if (upload === null || typeof upload !== 'object') return upload;
  const call = (operation, invoke) =>
    tracedCall(scope, `${operation} ${name}`, 'client', dbAttributes('cloudflare.r2', 'r2', name, operation), invoke);
  return bindingProxy(upload, {
    uploadPart: (...args) => call('uploadPart', () => upload.uploadPart(...args)),
    complete: (...args) => call('complete', () => upload.complete(...args)),
    abort: (...args) => call('abort', () => upload.abort(...args)),
  });
}
