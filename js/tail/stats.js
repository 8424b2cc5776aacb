// What the tail Worker counted since its isolate started (tailStats()).
export function newTailStats() {
  return { items: 0, itemsRefused: 0, truncated: 0, servicesEvicted: 0 };
}
