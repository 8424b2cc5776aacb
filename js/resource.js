// The resource every record carries: who wrote it. Metric sums go out with DELTA temporality, and
// OpenTelemetry's single-writer rule says each delta stream must come from one writer, so every
// isolate (every core instance) gets its own service.instance.id; a backend sums the instances.
// Attribute names follow the semantic conventions (service, telemetry.sdk, cloud, faas).
import { SDK_VERSION } from './version.js';

export function defaultResource(config) {
  const resource = {
    'service.instance.id': crypto.randomUUID(),
    'telemetry.sdk.name': 'edgescope',
    'telemetry.sdk.language': 'webjs',
    'telemetry.sdk.version': SDK_VERSION,
    'cloud.provider': 'cloudflare',
    'cloud.platform': 'cloudflare.workers',
    'faas.name': config.service,
  };
  // The version metadata binding ({ id, tag, timestamp }), when the user passes it.
  const version = config.versionMetadata;
  if (version?.id) {
    resource['faas.version'] = version.id;
    resource['service.version'] = version.tag || version.id;
  }
  return resource;
}
