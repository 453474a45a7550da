/**
 * Where `ingest` continues an input (#12): the decision, pure. Log shippers do the same (Filebeat's
 * registry with its `fingerprint` file identity, Vector's and Fluent Bit's checkpoints): an input is
 * known by a fingerprint of its first bytes, not by its name, and the store keeps per input the offset
 * its last stored line ends at. The reading, hashing and storing happen in commands/ingest.ts.
 *
 * Rules:
 * - The fingerprint is the SHA-256 of the first FINGERPRINT_BYTES bytes of the content as read
 *   (decompressed for gzip), so `dhcpd.log`, the same file renamed `dhcpd.log.1` and compressed
 *   `dhcpd.log.1.gz` are one input.
 * - A file shorter than that is read all the same; its checkpoint's fingerprint covers all it had
 *   (headBytes < FINGERPRINT_BYTES). The next run takes it for the same input when the file now starts
 *   with those bytes (it grew), and records the longer head. Filebeat instead ignores a file until it has
 *   its fingerprint length; we read it at once because a short log is still evidence, and a short head
 *   can only be mistaken for a file that starts with the same whole lines (same time, host and message).
 * - Same head but shorter than the offset (truncated and written again with the same first bytes):
 *   start over from byte 0 as a new input. The content that both had then comes out once anyway
 *   (the copy rule of EventStore.queryEvents: another input is another channel).
 * - Limits: two different files with the same first 1 KiB, the second at least as long as the first
 *   was read, are taken for one (no log line repeats its time, host and text that far); stdin has no
 *   identity and is never continued.
 */
import { createHash } from 'node:crypto';

/** Bytes the fingerprint covers (Filebeat's default `length`, 1024). About ten dhcpd lines. */
export const FINGERPRINT_BYTES = 1024;

/** A stored input as the decision needs it (EventStore.inputCheckpoints). */
export interface InputCheckpoint {
  /** ingest_input id: the input's identity in the store (its messages' channel). */
  id: number;
  /** How many first bytes headHash covers: FINGERPRINT_BYTES, or all a shorter file had when read. */
  headBytes: number;
  headHash: string;
  /** Where the last stored line ends (after its newline), in bytes of the decompressed content. */
  offset: number;
  /** Lines stored up to offset (line numbers continue from here). */
  lines: number;
  /** The name it was last read under. */
  path: string;
}

export type InputPlan =
  /** Never seen: read from byte 0 as a new input. */
  | { kind: 'new' }
  /** Seen: read from checkpoint.offset on (nothing, when it has not grown). */
  | { kind: 'resume'; checkpoint: InputCheckpoint }
  /** Its head matches but it is shorter than the offset: truncated; read from byte 0 as a new input. */
  | { kind: 'restart'; checkpoint: InputCheckpoint };

/** SHA-256 of `bytes`, hex: a head's fingerprint. */
export function fingerprint(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Decides where to read an input, given the store's checkpoints, the input's first bytes (`head`: up to
 * FINGERPRINT_BYTES, fewer only when the content is shorter) and its content length when known without
 * reading it (a plain file's size; null for gzip). The checkpoint matched is the one with the longest
 * head the input starts with; among equal heads the newest (a restarted input replaces the old one).
 */
export function planInput(
  checkpoints: readonly InputCheckpoint[],
  head: Uint8Array,
  contentBytes: number | null,
): InputPlan {
  if (head.length === 0) return { kind: 'new' };
  const hashes = new Map<number, string>();
  let best: InputCheckpoint | null = null;
  for (const c of checkpoints) {
    if (c.headBytes <= 0 || c.headBytes > head.length) continue;
    let h = hashes.get(c.headBytes);
    if (h === undefined) {
      h = fingerprint(head.subarray(0, c.headBytes));
      hashes.set(c.headBytes, h);
    }
    if (h !== c.headHash) continue;
    if (best === null || c.headBytes > best.headBytes || (c.headBytes === best.headBytes && c.id > best.id))
      best = c;
  }
  if (best === null) return { kind: 'new' };
  if (contentBytes !== null && contentBytes < best.offset) return { kind: 'restart', checkpoint: best };
  return { kind: 'resume', checkpoint: best };
}
