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

/**
 * The copy rule over one second's selected events (in (time, id) order), as EventStore applies it: only
 * hosts that sent by more than one channel this second can have copies, so keys are built (`keyOf(k)`) only
 * for their events. `channels[k]` is NaN for an untrusted event (never a copy, nor copied). Returns which
 * events to keep, or null when every one is kept. The rule is per key, so it gives the same answer for any
 * selection that holds either all copies of a line or none (a lookup by address, MAC or kind over whole
 * seconds: copies share those fields).
 */
export function keepOfSecond(
  channels: readonly number[],
  hosts: readonly number[],
  keyOf: (k: number) => string,
): boolean[] | null {
  const n = channels.length;
  let mixed = false;
  for (let k = 1; k < n; k++) {
    if (channels[k] !== channels[0] && !Number.isNaN(channels[k])) mixed = true;
  }
  if (!mixed) return null;
  // Per host: its one channel this second, or NaN when it has several.
  const hostChannel = new Map<number, number>();
  for (let k = 0; k < n; k++) {
    if (Number.isNaN(channels[k])) continue;
    const host = hosts[k] as number;
    const seen = hostChannel.get(host);
    if (seen === undefined) hostChannel.set(host, channels[k] as number);
    else if (seen !== channels[k]) hostChannel.set(host, Number.NaN);
  }
  const picked: number[] = [];
  for (let k = 0; k < n; k++) {
    if (Number.isNaN(channels[k])) continue;
    if (Number.isNaN(hostChannel.get(hosts[k] as number))) picked.push(k);
  }
  if (picked.length === 0) return null;
  const kept = keepCopies(
    picked.map((k) => keyOf(k)),
    picked.map((k) => channels[k] as number),
  );
  const keep = new Array<boolean>(n).fill(true);
  for (let j = 0; j < picked.length; j++) keep[picked[j] as number] = kept[j] as boolean;
  return keep;
}
