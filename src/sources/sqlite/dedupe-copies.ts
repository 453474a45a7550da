/**
 * The copy rule of EventStore.queryEvents (#12), pure: which of one second's events to keep when the
 * same line reached the store by more than one channel (the collector live, then the host's log file).
 */

/**
 * `keys[i]` says which line item i is (equal keys: the same host, program, pid and message within the
 * second); `channels[i]` by which channel it came. Each line is kept as many times as the channel that
 * brought it most often, and the copies kept are its first ones in the order given. So within one
 * channel nothing is dropped (a line dhcpd logs twice in a second stays twice), and a channel holding a
 * part of another's lines (a collector that lost datagrams, a file read again) adds only what the other
 * lacks. The limit: a line that really occurred more often than any one channel carried it is
 * undercounted; and only equal keys are copies (another zone or year reference makes another key).
 *
 *   keepCopies(['ack', 'ack', 'ack'], [1, 2, 1]) -> [true, true, false]
 */
export function keepCopies(keys: readonly string[], channels: readonly number[]): boolean[] {
  // Per key: copies per channel, then the most any channel has.
  const perChannel = new Map<string, Map<number, number>>();
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    let m = perChannel.get(key);
    if (m === undefined) {
      m = new Map();
      perChannel.set(key, m);
    }
    const c = channels[i] as number;
    m.set(c, (m.get(c) ?? 0) + 1);
  }
  const left = new Map<string, number>();
  for (const [key, m] of perChannel) left.set(key, Math.max(...m.values()));
  return keys.map((key) => {
    const n = left.get(key) as number;
    left.set(key, n - 1);
    return n > 0;
  });
}
