/**
 * `--listen` values: `udp://0.0.0.0:514`, `tcp://[::]:6514`, `tls://127.0.0.1:6514`.
 */
import { isIP } from 'node:net';
import { AuditError } from '../model/errors.js';

export type ListenTransport = 'udp' | 'tcp' | 'tls';

/** One listener the collector binds. */
export interface ListenAddress {
  transport: ListenTransport;
  /** Literal IP address to bind, without brackets (`0.0.0.0`, `::`, `::1`). */
  host: string;
  /** 0 asks the kernel for a free port (tests). */
  port: number;
  /** 4 or 6: the socket family (`udp4`/`udp6`). An IPv6 wildcard socket also receives IPv4 as `::ffff:a.b.c.d`. */
  family: 4 | 6;
}

const LISTEN_RE = /^(udp|tcp|tls):\/\/(?:\[([^\]]+)\]|([^:/[\]]+)):(\d{1,5})$/;

/**
 * Parses a `--listen` value. Only literal IP addresses are accepted: a collector must know exactly
 * which address it binds, and a host name could resolve differently tomorrow.
 * Example: `udp://[::]:514` -> `{ transport: 'udp', host: '::', port: 514, family: 6 }`.
 */
export function parseListenAddress(text: string): ListenAddress {
  const m = LISTEN_RE.exec(text);
  const fail = (why: string): never => {
    throw new AuditError(
      'GV_LISTEN_INVALID',
      `--listen '${text}': ${why}; expected udp://ADDR:PORT, tcp://ADDR:PORT or tls://ADDR:PORT with a literal IP address (IPv6 in brackets, e.g. tcp://[::]:6514)`,
    );
  };
  if (m === null) return fail('not of the form SCHEME://ADDR:PORT');
  const [, scheme, v6, v4, portText] = m as unknown as [
    string,
    ListenTransport,
    string | undefined,
    string | undefined,
    string,
  ];
  const host = v6 ?? v4 ?? '';
  const version = isIP(host);
  if (v6 !== undefined && version !== 6) return fail(`'${host}' in brackets is not an IPv6 address`);
  if (v4 !== undefined && version !== 4)
    return fail(`'${host}' is not an IPv4 address (put IPv6 in brackets)`);
  const port = Number(portText);
  if (port > 65535) return fail(`port ${port} is above 65535`);
  return { transport: scheme, host, port, family: version === 6 ? 6 : 4 };
}

/** Inverse of parseListenAddress: `tcp://[::1]:6514`. Also names a listener in stats and in `origin`. */
export function formatListenAddress(a: Pick<ListenAddress, 'transport' | 'host' | 'port'>): string {
  const host = a.host.includes(':') ? `[${a.host}]` : a.host;
  return `${a.transport}://${host}:${a.port}`;
}
