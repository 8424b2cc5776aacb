// Which channels each severity goes to. Configuration, validated up front against the channel
// names; the default follows what on-call teams ask for: CRITICAL pages every channel, WARNING goes
// to the chat and webhook channels (slack, webhook), INFO to none (it stays in the telemetry: the
// span, the log and the `errors` counter; stats().unrouted counts it here).
import { EdgescopeConfigError } from '../config.js';
import { SEVERITIES } from './fields.js';

const WARNING_KINDS = ['slack', 'webhook'];

// channels: { name: channel } (already checked) -> { CRITICAL: [names], WARNING: [...], INFO: [...] }
export function resolveRoutes(routes, channels) {
  const names = Object.keys(channels);
  const defaults = {
    CRITICAL: names,
    WARNING: names.filter((name) => WARNING_KINDS.includes(channels[name].kind)),
    INFO: [],
  };
  if (routes === undefined) return Object.freeze(defaults);
  if (routes === null || typeof routes !== 'object' || Array.isArray(routes)) {
    throw new EdgescopeConfigError('alerts.routes', "an object like { CRITICAL: ['pager', 'chat'], WARNING: ['chat'], INFO: [] }", routes);
  }
  const out = { ...defaults };
  for (const [severity, list] of Object.entries(routes)) {
    if (!SEVERITIES.includes(severity)) throw new EdgescopeConfigError(`alerts.routes.${severity}`, `one of ${SEVERITIES.join(', ')}`, severity);
    if (!Array.isArray(list)) throw new EdgescopeConfigError(`alerts.routes.${severity}`, `an array of channel names (${names.join(', ')})`, list);
    list.forEach((name, i) => {
      if (!Object.hasOwn(channels, name)) throw new EdgescopeConfigError(`alerts.routes.${severity}[${i}]`, `the name of a channel in alerts.channels (${names.join(', ')})`, name);
    });
    out[severity] = [...new Set(list)];
  }
  return Object.freeze(out);
}
