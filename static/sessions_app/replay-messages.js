// replay.json read back into the messages the screens were sent (sessions_app/debrief.py,
// ReplayWriter, writes it; both are held to simulator/contract/replay.json). After the snapshot
// each message is an array: its shape's index, then the values of the shape's keys in order.
export function replayMessages(replay) {
  const { fields, shapes, flags, authors } = replay;
  const numbers = (array) => Object.fromEntries(fields.map((name, i) => [name, array[i]]));
  return replay.messages.map((written, index) => {
    if (index === 0) return written; // the snapshot, as it was sent
    const [shape, ...items] = written;
    const message = Object.fromEntries(shapes[shape].map((key, i) => [key, items[i]]));
    // Each message its own objects, as each came from its own socket frame.
    if (Array.isArray(message.values)) {
      const shared = flags[message.values[fields.length]];
      message.values = { ...numbers(message.values), flags: structuredClone(shared) };
    }
    if (Array.isArray(message.trend)) {
      const [seconds, ...from] = message.trend;
      message.trend = { from: numbers(from), started_at: message.at, seconds };
    }
    if (typeof message.by === "number") message.by = { ...authors[message.by] };
    return message;
  });
}
