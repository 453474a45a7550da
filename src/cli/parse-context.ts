/**
 * Builds the parser's ParseContext from command-line options shared by `ingest` and `reparse`:
 *   --zone HOST=ZONE   (repeatable) the IANA zone of one sender's clock
 *   --default-zone Z   zone of every host not named (default UTC)
 *   --spec FILE        take each `servers[].host`'s zone from a rig spec (a --zone given too wins)
 * RFC 3164 timestamps carry no zone and no year: these settings are the only place they come from.
 */
import { AuditError } from '../model/errors.js';
import type { ParseContext } from '../model/events.js';
import type { EpochMs } from '../model/time.js';
import { isKnownZone } from '../parse/zone.js';
import { loadRigSpec } from '../spec/load-rig-spec.js';

/** The option definitions, to spread into a command's parseCommandArgs options. */
export const PARSE_CONTEXT_OPTIONS = {
  zone: { type: 'string', multiple: true },
  'default-zone': { type: 'string' },
  spec: { type: 'string' },
} as const;

/** Help text lines for the options above. */
export const PARSE_CONTEXT_HELP = [
  "  --zone HOST=ZONE    IANA zone of HOST's clock for zone-less (RFC 3164) timestamps; repeatable",
  '  --default-zone ZONE zone of hosts not named by --zone or the spec (default UTC)',
  '  --spec FILE         rig spec: each servers[].host gets its servers[].zone (--zone overrides)',
].join('\n');

export interface ParseContextArgs {
  zone?: string[] | undefined;
  'default-zone'?: string | undefined;
  spec?: string | undefined;
}

/** True when any zone option was given (reparse then replaces the stored zones). */
export function hasZoneOptions(args: ParseContextArgs): boolean {
  return (args.zone?.length ?? 0) > 0 || args['default-zone'] !== undefined || args.spec !== undefined;
}

function checkZone(commandName: string, option: string, zone: string): void {
  if (!isKnownZone(zone)) {
    throw new AuditError(
      'GV_USAGE',
      `${commandName}: ${option} names zone '${zone}', which this runtime does not know; expected an IANA zone such as Europe/Stockholm or UTC`,
    );
  }
}

/**
 * Returns the zone part of a ParseContext from the options. Throws GV_USAGE for a malformed
 * `--zone` or an unknown zone name.
 */
export async function zoneSettingsFromArgs(
  commandName: string,
  args: ParseContextArgs,
): Promise<Pick<ParseContext, 'zoneByHost' | 'defaultZone'>> {
  const zoneByHost: Record<string, string> = {};
  if (args.spec !== undefined) {
    for (const [host, zone] of Object.entries(zonesFromSpec(args.spec))) zoneByHost[host] = zone;
  }
  for (const item of args.zone ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0 || eq === item.length - 1) {
      throw new AuditError(
        'GV_USAGE',
        `${commandName}: --zone '${item}' is not HOST=ZONE; expected e.g. --zone dhcp1=Europe/Stockholm`,
      );
    }
    const host = item.slice(0, eq);
    const zone = item.slice(eq + 1);
    checkZone(commandName, `--zone ${host}`, zone);
    zoneByHost[host] = zone;
  }
  const defaultZone = args['default-zone'] ?? 'UTC';
  checkZone(commandName, '--default-zone', defaultZone);
  return { zoneByHost, defaultZone };
}

/** The full ParseContext: zones from the options and `referenceMs` for year inference. */
export async function parseContextFromArgs(
  commandName: string,
  args: ParseContextArgs,
  referenceMs: EpochMs,
): Promise<ParseContext> {
  return { ...(await zoneSettingsFromArgs(commandName, args)), referenceMs };
}

/** Zones per host from a rig spec: `servers[].host` -> `servers[].zone`, `permuterHost` -> `permuterZone`. */
function zonesFromSpec(path: string): Record<string, string> {
  const spec = loadRigSpec(path);
  const out: Record<string, string> = {};
  for (const server of spec.servers) out[server.host] = server.zone;
  out[spec.permuterHost] = spec.permuterZone;
  return out;
}
