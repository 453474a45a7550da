/**
 * The store writer thread (see batch-writer.ts WorkerWriter): owns the EventStore, parses and commits
 * each batch in one transaction, in the order the collector sent them.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { ParseContext, ParseResult, Transport } from '../model/events.js';
import { AuditError } from '../model/errors.js';
import { parseMessage } from '../parse/parse-message.js';
import { EventStore } from '../sources/sqlite/event-store.js';
import {
  EncodedBatchBuilder,
  splitOrigin,
  type EncodedBatch,
  type SplitOrigin,
} from '../sources/sqlite/row-codec.js';
import type { PackedBatch, WorkerReply, WorkerRequest } from './batch-writer.js';

const port = parentPort;
if (port === null) throw new Error('store-worker.ts must run as a worker thread');
const reply = (r: WorkerReply): void => port.postMessage(r);
const codeOf = (err: unknown): string => (err instanceof AuditError ? err.code : 'GV_STORE_WRITE');

/**
 * Lower this thread's priority (nice +10; Linux applies setpriority to one thread given its tid, which
 * /proc/thread-self names). When the CPU is short, the receiving thread then wins: the backlog waits
 * in memory for the store instead of the kernel dropping datagrams the socket had no time to read.
 */
try {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(tid) && tid > 0) setPriority(tid, 10);
} catch {
  // Not Linux, or not allowed: run at the normal priority.
}

const origin: SplitOrigin = { base: null, line: null };

/**
 * Parses a packed batch straight into the store's columns: the same results as
 * appendParsed(unpackBatch(p), parseBatch(...)) (a framing rejection is kept, not parsed) without a
 * RawMessage object per message, and each distinct origin split once.
 */
function encodePacked(p: PackedBatch, ctx: ParseContext): EncodedBatch {
  // A builder per batch: nothing of a batch that failed half-way can leak into the next one.
  const builder = new EncodedBatchBuilder();
  const data = Buffer.from(p.data);
  const framing = new Map(p.rejections);
  let lastOrigin: string | null | undefined;
  let start = 0;
  for (let i = 0; i < p.ends.length; i++) {
    const end = p.ends[i] as number;
    const bytes = data.subarray(start, end);
    const o = p.origin[i] ?? null;
    if (o !== lastOrigin) {
      splitOrigin(o, origin);
      lastOrigin = o;
    }
    const rejection = framing.get(i);
    const result: ParseResult = rejection !== undefined ? { ok: false, rejection } : parseMessage(bytes, ctx);
    builder.addParts(
      bytes,
      p.receivedMs[i] as number,
      p.transport[i] as Transport,
      p.peers[p.peerIdx[i] as number] ?? null,
      origin.base,
      origin.line,
      p.trusted[i] === 1,
      result,
    );
    start = end;
  }
  return builder.finish();
}

/**
 * The collector only appends: each batch touches the table's last pages and the indexes' tails. 4 MiB
 * is plenty for that (the 64 MiB default filled up over a day's soak as the store grew: +60 MB RSS).
 */
const COLLECTOR_CACHE_KIB = 4096;

let store: EventStore | null = null;
try {
  store = EventStore.open((workerData as { storePath: string }).storePath, { cacheKiB: COLLECTOR_CACHE_KIB });
  reply({ type: 'ready' });
} catch (err) {
  reply({ type: 'error', id: 0, code: codeOf(err), message: (err as Error).message });
}

port.on('message', (req: WorkerRequest) => {
  if (store === null) {
    reply({ type: 'error', id: req.id, code: 'GV_STORE_WRITE', message: 'the event store is not open' });
    return;
  }
  try {
    if (req.type === 'write') {
      const result = store.appendEncoded(encodePacked(req.batch, req.ctx), req.ctx);
      reply({ type: 'done', id: req.id, result });
    } else if (req.type === 'stats') {
      store.recordChannelStats(req.stats);
      reply({ type: 'done', id: req.id });
    } else {
      store.close();
      store = null;
      reply({ type: 'done', id: req.id });
    }
  } catch (err) {
    reply({ type: 'error', id: req.id, code: codeOf(err), message: (err as Error).message });
  }
});
