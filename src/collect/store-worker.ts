/**
 * The store writer thread (see batch-writer.ts WorkerWriter): owns the EventStore, parses and commits
 * each batch in one transaction, in the order the collector sent them.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { AuditError } from '../model/errors.js';
import { EventStore } from '../sources/sqlite/event-store.js';
import { parseBatch, unpackBatch, type WorkerReply, type WorkerRequest } from './batch-writer.js';

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

let store: EventStore | null = null;
try {
  store = EventStore.open((workerData as { storePath: string }).storePath);
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
      const batch = unpackBatch(req.batch);
      const result = store.appendParsed(batch, parseBatch(batch, req.ctx), req.ctx);
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
