// A TraceItem's diagnostics_channel events ({ timestamp, channel, message }: what the watched
// Worker published with node:diagnostics_channel, delivered to tail Workers) as events on the root
// span at their own times. The message is the publisher's own data: recorded as JSON text, which
// the core redacts and cuts like every attribute string.
import { applyBeforeSend } from '../before-send.js';

export function recordDiagnostics(telemetry, root, events, fallbackTime) {
  if (!Array.isArray(events) || !root.recording) return;
  for (const event of events) {
    if (!event || typeof event !== 'object') continue;
    const attributes = { 'edgescope.diagnostics_channel.name': String(event.channel ?? '') };
    const message = text(event.message);
    if (message !== undefined) attributes['edgescope.diagnostics_channel.message'] = message;
    const record = applyBeforeSend(telemetry, { type: 'event', name: 'diagnostics_channel', attributes });
    if (!record) continue;
    const time = telemetry.checkTime(Number.isFinite(event.timestamp) && event.timestamp > 0 ? event.timestamp : fallbackTime, 'diagnostics.timestamp');
    telemetry.core.addEvent(root.handle, String(record.name || 'diagnostics_channel'), time, record.attributes);
  }
}

function text(value) {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
