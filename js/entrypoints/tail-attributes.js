// Root-span attributes of a Tail Worker invocation (`tail(events, env, ctx)`, events being the
// producers' TraceItems: developers.cloudflare.com/workers/runtime-apis/handlers/tail/): how many
// events, from which scripts, and how many exceptions they carry. Script names are listed once
// each, sorted, at most MAX_SCRIPT_NAMES (an attribute array holds at most 128 elements; a span
// is no place for an unbounded list); `edgescope.tail.script_count` keeps the full count.
// Never throws: a malformed item is counted and otherwise skipped.
const MAX_SCRIPT_NAMES = 32;

export function tailAttributes(events) {
  const list = Array.isArray(events) ? events : [];
  const names = new Set();
  let exceptions = 0;
  for (const item of list) {
    if (typeof item?.scriptName === 'string') names.add(item.scriptName);
    if (Array.isArray(item?.exceptions)) exceptions += item.exceptions.length;
  }
  const sorted = [...names].sort();
  const attributes = {
    'faas.trigger': 'other',
    'edgescope.tail.event_count': list.length,
    'edgescope.tail.exception_count': exceptions,
    'edgescope.tail.script_count': sorted.length,
  };
  if (sorted.length) attributes['edgescope.tail.script_names'] = sorted.slice(0, MAX_SCRIPT_NAMES);
  return attributes;
}
