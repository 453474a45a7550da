/**
 * `gluff-verify collect`: receive syslog over UDP, TCP and TLS into an event store until SIGINT/SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { parseAllowList } from '../../collect/allow-list.js';
import { InlineWriter, WorkerWriter, type BatchWriter } from '../../collect/batch-writer.js';
import { Collector } from '../../collect/collector.js';
import { parseListenAddress } from '../../collect/listen-address.js';
import type { TlsFiles } from '../../collect/tcp-listener.js';
import { defaultUdpReader, UdpListener, type UdpReader } from '../../collect/udp-listener.js';
import { loadNativeUdp } from '../../collect/udp-native.js';
import { AuditError, ExitCode } from '../../model/errors.js';
import { EventStore } from '../../sources/sqlite/event-store.js';
import { parseCommandArgs, requireOption, type CliIo, type Command } from '../command.js';
import { PARSE_CONTEXT_HELP, PARSE_CONTEXT_OPTIONS, zoneSettingsFromArgs } from '../parse-context.js';

const NAME = 'collect';

const help = `Usage: gluff-verify collect --listen URL [--listen URL ...] --store DB [options]

Receives syslog (RFC 3164 / RFC 5424) and stores every message, raw and parsed, in the event store DB
(SQLite, WAL), in batches committed at least every 100 ms. Runs until SIGINT or SIGTERM, then stores
what it has received and exits 0. A restarted collector continues the same store.

  --listen URL             udp://ADDR:PORT, tcp://ADDR:PORT or tls://ADDR:PORT, literal IP, IPv6 in
                           brackets (udp://[::]:514 receives IPv4 too); repeatable
  --store DB               event store file (created when missing, once every listener is bound)
  --allow ADDR|CIDR        trusted sender (10.1.0.5, 10.1.0.0/24, 2001:db8::/32); repeatable. Messages
                           from other senders are stored and counted with trusted=false and never used
                           as evidence. WITHOUT --allow EVERY SENDER IS TRUSTED.
  --max-message-bytes N    longer messages are cut and stored as 'oversized' rejections (default 8192)
  --udp-rcvbuf BYTES       UDP receive buffer to ask for (default net.core.rmem_max; as root a larger
                           one is granted with SO_RCVBUFFORCE); the size granted is printed at start
  --udp-reader recvmmsg|dgram
                           how UDP sockets are read: recvmmsg (default when 'make' built the addon
                           build/gv_udp.node) reads in batches on a thread of its own and loses far
                           less under bursts; dgram is plain node:dgram (needs nothing built)
  --tls-cert FILE          PEM certificate for tls:// listeners (RFC 5425)
  --tls-key FILE           PEM private key for tls:// listeners
  --idle-timeout SEC       close a TCP/TLS connection silent this long (default 300)
  --max-connections N      per TCP/TLS listener (default 256)
  --stats-every SEC        store the channel figures and print a stats line this often (default 5)
  --store-thread worker|main
                           parse and write on a worker thread (default; keeps the socket loop free)
                           or on the main thread (for measurement)
${PARSE_CONTEXT_HELP}

TCP framing (RFC 6587) is chosen per connection: a first byte that is a digit means octet counting,
anything else newline-terminated. Every stats line (stderr) gives received/s, stored, rejected,
untrusted, dropped (kernel UDP drops from /proc/net/udp{,6} + our own), connections; 'gluff-verify
stats' shows the same figures from the store.

Example:
  gluff-verify collect --listen udp://0.0.0.0:514 --listen tcp://[::]:6514 --store events.db \\
    --allow 10.1.0.0/24 --zone dhcp1=Europe/Stockholm --zone dhcp2=Europe/Stockholm`;

function positiveInt(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) <= 0) {
    throw new AuditError('GV_USAGE', `${NAME}: --${name} '${text}' is not a positive integer`);
  }
  return Number(text);
}

function loadTls(certPath: string | undefined, keyPath: string | undefined): TlsFiles {
  if (certPath === undefined || keyPath === undefined) {
    throw new AuditError(
      'GV_TLS_CONFIG',
      'a tls:// listener needs both --tls-cert FILE and --tls-key FILE (PEM)',
    );
  }
  let files: TlsFiles;
  try {
    files = { cert: readFileSync(certPath), key: readFileSync(keyPath) };
  } catch (err) {
    throw new AuditError(
      'GV_TLS_CONFIG',
      `cannot read TLS file: ${(err as Error).message}; expected readable PEM files`,
      { cause: err },
    );
  }
  try {
    createSecureContext(files);
  } catch (err) {
    throw new AuditError(
      'GV_TLS_CONFIG',
      `--tls-cert ${certPath} / --tls-key ${keyPath} do not form a usable pair: ${(err as Error).message}; expected a PEM certificate and its private key`,
      { cause: err },
    );
  }
  return files;
}

/** --udp-reader, or the default; asking for recvmmsg where the addon cannot load is a usage error. */
function chooseUdpReader(text: string | undefined): { reader: UdpReader; why?: string } {
  if (text === undefined) return defaultUdpReader();
  if (text === 'dgram') return { reader: 'dgram' };
  if (text !== 'recvmmsg') {
    throw new AuditError('GV_USAGE', `${NAME}: --udp-reader '${text}' is neither 'recvmmsg' nor 'dgram'`);
  }
  const native = loadNativeUdp();
  if ('reason' in native) {
    throw new AuditError(
      'GV_USAGE',
      `${NAME}: --udp-reader recvmmsg is not available: ${native.reason}; use --udp-reader dgram`,
    );
  }
  return { reader: 'recvmmsg' };
}

async function run(argv: string[], io: CliIo): Promise<typeof ExitCode.pass> {
  const { values } = parseCommandArgs(NAME, argv, {
    listen: { type: 'string', multiple: true },
    store: { type: 'string' },
    allow: { type: 'string', multiple: true },
    'max-message-bytes': { type: 'string' },
    'udp-rcvbuf': { type: 'string' },
    'udp-reader': { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'idle-timeout': { type: 'string' },
    'max-connections': { type: 'string' },
    'stats-every': { type: 'string' },
    'store-thread': { type: 'string' },
    ...PARSE_CONTEXT_OPTIONS,
  });
  const listenTexts = values.listen ?? [];
  if (listenTexts.length === 0) requireOption(NAME, 'listen', undefined);
  const listen = listenTexts.map(parseListenAddress);
  const storePath = requireOption(NAME, 'store', values.store);
  const allow = parseAllowList(values.allow ?? []);
  const maxMessageBytes = positiveInt('max-message-bytes', values['max-message-bytes'], 8192);
  const udpRcvbufBytes =
    values['udp-rcvbuf'] === undefined ? null : positiveInt('udp-rcvbuf', values['udp-rcvbuf'], 0);
  const idleTimeoutMs = positiveInt('idle-timeout', values['idle-timeout'], 300) * 1000;
  const maxConnections = positiveInt('max-connections', values['max-connections'], 256);
  const statsIntervalMs = positiveInt('stats-every', values['stats-every'], 5) * 1000;
  const tls = listen.some((l) => l.transport === 'tls')
    ? loadTls(values['tls-cert'], values['tls-key'])
    : undefined;
  const parseContext = await zoneSettingsFromArgs(NAME, values);
  const udpReader = chooseUdpReader(values['udp-reader']);
  const storeThread = values['store-thread'] ?? 'worker';
  if (storeThread !== 'worker' && storeThread !== 'main') {
    throw new AuditError(
      'GV_USAGE',
      `${NAME}: --store-thread '${storeThread}' is neither 'worker' nor 'main'`,
    );
  }

  let store: EventStore | null = null;
  let writer: BatchWriter | null = null;
  // The store is opened (and created) only once every listener is bound (#12): a collector that cannot
  // bind leaves no empty store behind.
  const openWriter = async (): Promise<BatchWriter> => {
    if (storeThread === 'main') {
      store = EventStore.open(storePath);
      writer = new InlineWriter(store);
    } else {
      writer = await WorkerWriter.open(storePath);
    }
    return writer;
  };
  try {
    const collector = new Collector({
      listen,
      writer: openWriter,
      parseContext,
      allow,
      maxMessageBytes,
      udpRcvbufBytes,
      udpReader: udpReader.reader,
      ...(tls !== undefined ? { tls } : {}),
      idleTimeoutMs,
      maxConnections,
      statsIntervalMs,
      nowMs: io.nowMs,
      onStats: (line) => io.stderr.write(`${line}\n`),
      onListenerError: (url, err) => io.stderr.write(`collect: ${url}: ${err.message}\n`),
    });
    await collector.start();
    // `ps`, `top` and /proc/PID/comm show gv-collect, so `pgrep gv-collect` and `sample --proc gv-collect` find it.
    process.title = 'gv-collect';
    for (const l of collector.listeners) {
      const extra =
        l instanceof UdpListener
          ? ` (read by ${l.reader}${udpReader.why !== undefined ? ` because ${udpReader.why}` : ''}; receive buffer: asked ${l.rcvbufRequestedBytes} bytes, kernel granted ${l.rcvbufGrantedBytes})`
          : '';
      io.stderr.write(`collect: listening on ${l.url}${extra}\n`);
    }
    io.stderr.write(
      `collect: storing into ${storePath}; ${allow.entries.length === 0 ? 'every sender trusted (no --allow)' : `trusted senders: ${allow.entries.join(' ')}`}\n`,
    );
    let onSignal: (signal: string) => void = () => undefined;
    const outcome = await new Promise<{ signal: string } | { error: AuditError }>((resolve) => {
      onSignal = (signal: string): void => resolve({ signal });
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      collector.onFailure((error) => resolve({ error }));
    });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if ('error' in outcome) {
      await collector.stop().catch(() => undefined);
      throw outcome.error;
    }
    io.stderr.write(`collect: ${outcome.signal}: flushing\n`);
    const t = await collector.stop();
    io.stderr.write(
      `collect: stopped; received ${t.received} stored ${t.stored} rejected ${t.rejected} untrusted ${t.untrusted} dropped ${t.kernelDrops + t.appDrops} (kernel ${t.kernelDrops}, collector ${t.appDrops})\n`,
    );
    return ExitCode.pass;
  } finally {
    await (writer as BatchWriter | null)?.close();
    (store as EventStore | null)?.close();
  }
}

export const command: Command = {
  name: NAME,
  summary: 'receive syslog over UDP/TCP/TLS into an event store until stopped',
  help,
  run,
};
