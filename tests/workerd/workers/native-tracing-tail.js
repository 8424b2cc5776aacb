// A streaming Tail Worker that keeps every event it receives (onset, spanOpen, spanClose, return,
// outcome), and answers GET with them as a JSON array: what the platform traced, with its ids.
// Some attribute values (a fetch span's sizes) arrive as BigInt, which JSON cannot hold: sent as
// decimal strings.
const events = [];

export default {
  tailStream(onset) {
    events.push(onset);
    return (event) => {
      events.push(event);
    };
  },
  async fetch() {
    return new Response(JSON.stringify(events, (key, value) => (typeof value === 'bigint' ? String(value) : value)), {
      headers: { 'content-type': 'application/json' },
    });
  },
};
