// The attribute batch of a core Telemetry handle (CoreTelemetry extends it): JavaScript values
// written straight into the core's scratch buffer in es_stage_batch's layout
// (bindings/edgescope.h), names interned once and cached. Never throws on a user's value (a
// throwing getter, a revoked Proxy, a circular object): attribute-values.js says how each kind of
// value is converted, and an attribute set is staged whole or not at all.
//
// The fields it works on are the core handle's, set by CoreTelemetry.attach(): x (the module's
// exports), h (the core instance), mem (core-memory.js), names (name -> id cache), limits,
// nameChars, valueChars; batchBytes / batchCount are what the batch holds so far.
import { cut, errorFields, isError, objectText, readEntries, textOf, typedArray, UNREADABLE } from './attribute-values.js';
import { AttributeType, StatId, Status } from './tables.js';

// An attribute batch is staged once it would pass this many bytes (the scratch buffer holds 1 MiB).
const BATCH_BYTES = 64 * 1024;

export class AttributeBatch {
  constructor() {
    this.batchBytes = 0;
    this.batchCount = 0;
  }

  // The name id for `name`, or the core's refusal (negative), which every call taking a name id
  // accepts: the core then refuses what it would have named, and counts it. An uncached name is
  // written past the attribute batch being built (es_intern_at), which it leaves intact.
  id(name) {
    const cached = this.names.get(name);
    if (cached !== undefined) return cached;
    const text = cut(textOf(name), this.nameChars);
    const mem = this.mem;
    const address = mem.scratchFor(this.batchBytes + text.length * 3) + this.batchBytes;
    const id = this.x.es_intern_at(this.h, this.batchBytes, mem.writeText(address, text));
    mem.views(); // interning may have grown memory
    // Cached: accepted ids only, and only names short enough not to pin a large string.
    if (id > 0 && text === name && text.length < this.nameChars && this.names.size < this.limits.maxInterned) {
      this.names.set(name, id);
    }
    return id;
  }

  // ---- the attribute batch (es_stage_batch's layout, bindings/edgescope.h) ----
  // Attributes are written straight into the scratch buffer, one after another, and cross in one
  // call with the record they belong to (es_span_set, es_log_batch) or as one es_stage_batch.
  // this.batchBytes / this.batchCount: what is written so far; both 0 outside a consuming call.

  // The address of `bytes` more bytes at the end of the batch. A batch past BATCH_BYTES is staged
  // first (the stage keeps it), so the scratch buffer stays small whatever the attribute set.
  reserve(bytes) {
    if (this.batchCount > 0 && this.batchBytes + bytes > BATCH_BYTES) this.stageBatch();
    return this.mem.scratchFor(this.batchBytes + bytes) + this.batchBytes;
  }

  // Stages what the batch holds (es_stage_batch) and empties it.
  stageBatch() {
    if (this.batchCount === 0) return;
    const count = this.batchCount;
    const bytes = this.batchBytes;
    this.batchCount = 0;
    this.batchBytes = 0;
    this.x.es_stage_batch(this.h, count, bytes); // an unknown key id is staged refused and counted
  }

  putText(keyId, text) {
    const value = cut(text, this.valueChars);
    const at = this.reserve(9 + value.length * 3);
    const mem = this.mem;
    const length = mem.writeText(at + 9, value);
    mem.dv.setInt32(at, keyId, true);
    mem.u8[at + 4] = AttributeType.string;
    mem.dv.setUint32(at + 5, length, true);
    this.batchBytes += 9 + length;
    this.batchCount++;
  }

  // type: AttributeType.int (a safe integer) or AttributeType.double.
  putNumber(keyId, type, value) {
    const at = this.reserve(13);
    const mem = this.mem;
    mem.dv.setInt32(at, keyId, true);
    mem.u8[at + 4] = type;
    mem.dv.setFloat64(at + 5, value, true);
    this.batchBytes += 13;
    this.batchCount++;
  }

  putBool(keyId, value) {
    const at = this.reserve(6);
    const mem = this.mem;
    mem.dv.setInt32(at, keyId, true);
    mem.u8[at + 4] = AttributeType.bool;
    mem.u8[at + 5] = value ? 1 : 0;
    this.batchBytes += 6;
    this.batchCount++;
  }

  // Appends every own enumerable attribute (skipping null/undefined) to the batch. Never throws:
  // see attribute-values.js.
  stage(attributes) {
    if (attributes === undefined || attributes === null) return;
    const entries = readEntries(attributes);
    if (entries === null) this.stageUnreadable();
    else this.stageEntries(entries);
  }

  // An attribute set whose keys cannot even be listed: counted, and staged as one refused
  // attribute (a refused key id), so the record's dropped-attribute count shows it and a metric
  // series refuses it rather than merging into the untagged series.
  stageUnreadable() {
    this.countHost(StatId.valuesUnconvertible);
    this.putBool(Status.rejected, false);
  }

  stageEntries(entries) {
    for (let i = 0; i < entries.length; i += 2) this.stageOne(entries[i], entries[i + 1]);
  }

  stageOne(key, value) {
    switch (typeof value) {
      case 'string':
        this.stageText(key, value);
        return;
      case 'number':
        // NaN and infinities go through as doubles: the core refuses and counts them (JSON has
        // neither, and "NaN" as a string would lie about the type).
        this.putNumber(this.id(key), Number.isSafeInteger(value) ? AttributeType.int : AttributeType.double, value);
        return;
      case 'boolean':
        this.putBool(this.id(key), value);
        return;
      case 'undefined':
        return;
      case 'bigint':
        this.stageText(key, textOf(value));
        return;
      case 'symbol':
        if (value === UNREADABLE) this.stageUnconvertible(key, value); // its getter threw
        else this.stageText(key, textOf(value));
        return;
      case 'function':
        this.stageUnconvertible(key, value);
        return;
      default:
        if (value === null) return;
        if (isError(value)) {
          // OpenTelemetry semantic conventions for exceptions (exception.type/message/stacktrace).
          const prefix = key === 'error' || key === 'exception' ? 'exception' : `${key}.exception`;
          const [type, message, stack] = errorFields(value);
          if (type !== undefined) this.stageText(`${prefix}.type`, type);
          if (message !== undefined) this.stageText(`${prefix}.message`, message);
          if (stack) this.stageText(`${prefix}.stacktrace`, stack);
          return;
        }
        {
          const array = typedArray(value, this.valueChars);
          if (array !== null) {
            this.stageArray(key, array);
            return;
          }
          const text = objectText(value);
          if (text === null) this.stageUnconvertible(key, value);
          else this.stageText(key, text);
        }
    }
  }

  stageText(key, text) {
    this.putText(this.id(key), text);
  }

  // A homogeneous array (attribute-values.js typedArray) as one es_stage_array call, after what
  // the batch holds so far (so the order of the attributes, and last-write-wins, stay as given).
  stageArray(key, { type, items }) {
    this.stageBatch();
    const keyId = this.id(key); // interning uses the scratch buffer: before the elements are written
    this.x.es_stage_array(this.h, keyId, type, items.length, this.mem.writeArray(type, items));
    this.mem.views();
  }

  stageUnconvertible(key, value) {
    this.countHost(StatId.valuesUnconvertible);
    this.stageText(key, textOf(value));
  }

  countHost(statId) {
    this.x.es_count(this.h, statId, 1);
  }
}
