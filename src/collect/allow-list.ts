/**
 * `--allow ADDR|CIDR`: which peers are trusted. Messages from other peers are still stored and counted,
 * with `trusted: false`, and never used as evidence. No `--allow` at all means every peer is trusted.
 */
import { BlockList, isIP } from 'node:net';
import { AuditError } from '../model/errors.js';

export interface AllowList {
  /** The entries as given, for messages and `--help`. Empty means "trust everyone". */
  readonly entries: readonly string[];
  /** True when `address` (as the socket reports it, IPv4-mapped IPv6 included) may give evidence. */
  isAllowed(address: string): boolean;
}

const MAPPED_RE = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

/**
 * An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, what a dual-stack `[::]` socket reports for an IPv4
 * sender) becomes the plain IPv4 address; anything else is returned unchanged. Lets one rule
 * `10.0.0.0/8` match a sender whichever socket family received it.
 */
export function normalizePeerAddress(address: string): string {
  const m = MAPPED_RE.exec(address);
  return m !== null ? (m[1] as string) : address;
}

/** Parses `--allow` values: `10.1.0.5`, `10.1.0.0/24`, `::1`, `2001:db8::/32`, `::ffff:10.1.0.5`. */
export function parseAllowList(entries: readonly string[]): AllowList {
  const list = new BlockList();
  for (const entry of entries) {
    const slash = entry.indexOf('/');
    const addr = normalizePeerAddress(slash < 0 ? entry : entry.slice(0, slash));
    const version = isIP(addr);
    const bad = (why: string): never => {
      throw new AuditError(
        'GV_USAGE',
        `collect: --allow '${entry}': ${why}; expected an IPv4/IPv6 address or CIDR such as 10.1.0.0/24 or 2001:db8::/32`,
      );
    };
    if (version === 0) bad(`'${addr}' is not an IP address`);
    const type = version === 6 ? 'ipv6' : 'ipv4';
    if (slash < 0) {
      list.addAddress(addr, type);
      continue;
    }
    const prefixText = entry.slice(slash + 1);
    let prefix = Number(prefixText);
    if (!/^\d{1,3}$/.test(prefixText)) bad(`prefix '${prefixText}' is not a number`);
    // `::ffff:10.0.0.0/104` names IPv4 space: keep it as the equivalent IPv4 prefix.
    if (version === 4 && addr !== entry.slice(0, slash)) prefix -= 96;
    if (prefix < 0 || prefix > (version === 6 ? 128 : 32)) bad(`prefix /${prefixText} is out of range`);
    list.addSubnet(addr, prefix, type);
  }
  const all = entries.length === 0;
  return {
    entries: [...entries],
    isAllowed(address: string): boolean {
      if (all) return true;
      const addr = normalizePeerAddress(address);
      const version = isIP(addr);
      if (version === 0) return false;
      return list.check(addr, version === 6 ? 'ipv6' : 'ipv4');
    },
  };
}
