// One Telemetry per watched service and version: a TraceItem's `scriptName` is service.name and
// `scriptVersion.id` (tag when set) service.version, both resource attributes, fixed per core. A
// gradual deployment runs two versions at once, so the key is the pair.
//
// Bounded (config `maxServices`): least recently used first out. An evicted Telemetry is flushed
// (the drain is synchronous, js/export-pipeline.js, so nothing recorded so far is lost) and disposed
// once that flush has settled; the eviction is counted (tailStats().servicesEvicted) and logged.
// A Telemetry a running tail() call still holds (its error records settle after the alert request,
// then it flushes) is disposed by that call's release(), after its own flush.
import { Telemetry } from '../telemetry.js';

export class ServiceTable {
  constructor(settings, stats) {
    this.settings = settings;
    this.stats = stats;
    this.byKey = new Map(); // insertion order = recency (re-inserted on use)
    this.holds = new Map(); // telemetry -> tail() calls holding it
    this.evicted = new WeakSet();
  }

  // A tail() call uses `telemetry` until release(): not disposed meanwhile.
  hold(telemetry) {
    this.holds.set(telemetry, (this.holds.get(telemetry) ?? 0) + 1);
  }

  // After the call's flush of `telemetry`: an evicted one nobody holds any more is disposed.
  release(telemetry) {
    const left = (this.holds.get(telemetry) ?? 1) - 1;
    if (left > 0) {
      this.holds.set(telemetry, left);
      return;
    }
    this.holds.delete(telemetry);
    if (this.evicted.has(telemetry)) telemetry.dispose();
  }

  // The Telemetry for this item's service and version. `evictions` collects the flushes of
  // evicted ones, for the caller's waitUntil.
  telemetryFor(item, evictions) {
    const service = typeof item.scriptName === 'string' && item.scriptName !== '' ? item.scriptName : this.settings.fallbackService;
    const version = versionOf(item.scriptVersion);
    const key = `${service}\n${version?.id ?? ''}`;
    let telemetry = this.byKey.get(key);
    if (telemetry) {
      this.byKey.delete(key);
      this.byKey.set(key, telemetry);
    } else {
      if (this.byKey.size >= this.settings.maxServices) this.evictOldest(evictions);
      const config = { ...this.settings.base, service };
      if (version) config.versionMetadata = version;
      telemetry = new Telemetry(config);
      this.byKey.set(key, telemetry);
    }
    telemetry.beginInvocation();
    return { telemetry, service };
  }

  evictOldest(evictions) {
    const [key, telemetry] = this.byKey.entries().next().value;
    this.byKey.delete(key);
    this.stats.servicesEvicted++;
    // Once per isolate: past maxServices nearly every item evicts; tailStats().servicesEvicted counts them.
    if (this.stats.servicesEvicted === 1) console.warn(
      `[edgescope] tail: more than ${this.settings.maxServices} watched services in this isolate; ` +
        `'${key.split('\n')[0]}' (the least recently seen) is flushed and dropped from memory (raise maxServices to keep more; further evictions are counted in tailStats().servicesEvicted, not logged)`,
    );
    this.evicted.add(telemetry);
    if (this.holds.has(telemetry)) return; // the holder's flush and release() see to it
    evictions.push(
      telemetry.flush().then(
        () => telemetry.dispose(),
        () => telemetry.dispose(),
      ),
    );
  }

  get size() {
    return this.byKey.size;
  }
}

// ScriptVersion { id, tag?, message? } -> the versionMetadata shape resource.js reads.
function versionOf(scriptVersion) {
  if (!scriptVersion || typeof scriptVersion.id !== 'string' || scriptVersion.id === '') return null;
  const version = { id: scriptVersion.id };
  if (typeof scriptVersion.tag === 'string' && scriptVersion.tag !== '') version.tag = scriptVersion.tag;
  return version;
}
