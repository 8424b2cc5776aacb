// Workers Analytics Engine (AnalyticsEngineDataset): writeDataPoint as a CLIENT span. The call is
// synchronous and fire-and-forget in the runtime (the write happens after it returns), so the
// span marks that a point was written and how many blobs and doubles it had, never their values.
import { bindingProxy } from './binding-proxy.js';
import { tracedCall } from './call-span.js';

export function wrapAnalyticsEngine(dataset, name, scope) {
  return bindingProxy(dataset, {
    writeDataPoint: (point, ...rest) =>
      tracedCall(scope, `writeDataPoint ${name}`, 'client', pointAttributes(name, point), () => dataset.writeDataPoint(point, ...rest)),
  });
}

function pointAttributes(name, point) {
  const attributes = { 'cloudflare.binding.type': 'analytics_engine', 'cloudflare.binding.name': name };
  try {
    if (Array.isArray(point?.blobs)) attributes['cloudflare.analytics_engine.blobs'] = point.blobs.length;
    if (Array.isArray(point?.doubles)) attributes['cloudflare.analytics_engine.doubles'] = point.doubles.length;
  } catch {
    // a point with a throwing getter: the runtime reports it when it reads the point
  }
  return attributes;
}
