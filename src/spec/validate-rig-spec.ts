/**
 * Rig spec validation: a parsed YAML/JSON document -> RigSpec, or one GV_SPEC_INVALID listing EVERY
 * problem (file, field path such as `switch.ports[1].circuitId`, what was expected, what was found).
 * Pure: loadRigSpec (load-rig-spec.ts) reads and parses the file. Field reference: specs/rig-spec.md.
 *
 * Unknown keys are errors, with the nearest known key suggested, so that a typo (`settelSec`) never
 * silently falls back to a default.
 */
import { AuditError } from '../model/errors.js';
import { parseDurationSec } from '../model/time.js';
import type {
  ClientSegmentSpec,
  LeaseTimingSpec,
  MemorySpec,
  PortDisagreementCulprit,
  RigSpec,
  ServerSpec,
  SwitchPortSpec,
  ToleranceSpec,
} from '../model/spec.js';
import { bytesToHex, hexToBytes, parseGluffOptionText, textToHex } from '../parse/option82.js';
import { isKnownZone } from '../parse/zone.js';

/** Defaults for optional fields (documented in specs/rig-spec.md; keep both in step). */
export const RIG_SPEC_DEFAULTS = {
  lease: { defaultSec: 43_200, minSec: 0, maxSec: 86_400, mcltSec: 3_600 },
  switchName: 'switch',
  permuterHost: 'autobridge',
  permuterZone: 'UTC',
  tolerances: { startSkewSec: 2, endSkewSec: 2, approxEndSkewSec: 60, settleSec: 30 },
  portDisagreement: {
    'dhcpd-stale-options': 'warn',
    'switch-not-stamping': 'fail',
    'moved-without-dhcp': 'warn',
  } as Record<PortDisagreementCulprit, 'warn' | 'fail'>,
  memory: {
    warmupSec: 600,
    minSamples: 30,
    minDurationSec: 7_200,
    maxSlopeBytesPerHour: 1_048_576,
    maxGrowthBytes: 16_777_216,
  },
} as const;

type Obj = Record<string, unknown>;

/** Collects problems instead of stopping at the first. */
class Problems {
  readonly list: string[] = [];
  add(path: string, expected: string, found?: unknown): void {
    this.list.push(
      found === undefined ? `${path}: ${expected}` : `${path}: ${expected}; found ${show(found)}`,
    );
  }
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] as number;
      row[j] = Math.min(cur + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] as number;
}

/** Reports keys not in `known`, suggesting the nearest known key. */
function checkKeys(p: Problems, path: string, obj: Obj, known: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const near = known
      .map((k) => ({ k, d: editDistance(key.toLowerCase(), k.toLowerCase()) }))
      .sort((x, y) => x.d - y.d)[0];
    const hint = near !== undefined && near.d <= 3 ? ` (did you mean '${near.k}'?)` : '';
    p.add(`${join(path, key)}`, `unknown key${hint}; expected one of ${known.join(', ')}`);
  }
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB)?$/;
const SIZE_UNITS: Record<string, number> = {
  B: 1,
  KB: 1e3,
  KiB: 1024,
  MB: 1e6,
  MiB: 1024 ** 2,
  GB: 1e9,
  GiB: 1024 ** 3,
};

/** A byte count: a number, or text `1048576`, `512KiB`, `1MiB`, `2MB`. Null when malformed. */
export function parseByteSize(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value) : null;
  if (typeof value !== 'string') return null;
  const m = SIZE.exec(value.trim());
  if (m === null) return null;
  return Math.round(Number(m[1]) * (SIZE_UNITS[m[2] ?? 'B'] as number));
}

/**
 * A MAC in any common writing (`52:54:00:12:34:56`, `52-54-0-12-34-56`, `5254.0012.3456`, `525400123456`)
 * -> normalised `52:54:00:12:34:56`; null when it is not 6 bytes.
 */
export function normaliseMac(text: string): string | null {
  const t = text.trim().toLowerCase();
  let bytes: number[] | null = null;
  if (/^[0-9a-f]{1,2}([:-])[0-9a-f]{1,2}(\1[0-9a-f]{1,2}){4}$/.test(t)) {
    bytes = t.split(/[:-]/).map((h) => parseInt(h, 16));
  } else if (/^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/.test(t) || /^[0-9a-f]{12}$/.test(t)) {
    bytes = hexToBytes(t.replace(/\./g, ''));
  }
  return bytes === null || bytes.length !== 6 ? null : bytesToHex(bytes);
}

/**
 * An Option 82 value as a spec may write it -> canonical hex, or a problem text.
 * - `{text: "Fa0/1"}`: the bytes of the text (UTF-8);
 * - `{hex: "00:04:00:0a:01:05"}` (or without colons, or unpadded `0:4:0:a:1:5`);
 * - a bare string in Gluff's rendering: `'"port1"'` (quoted) or `0:4:0:a:1:5` (colon hex with at least one colon);
 * - any other bare string: its text (`Fa0/1`). Write `{text: ...}` for a text that looks like colon hex.
 */
export function parseSpecOptionValue(value: unknown): { hex: string } | { problem: string } {
  const expected =
    'expected text ("Fa0/1"), {text: "..."}, {hex: "00:04:00:0a:01:05"}, Gluff\'s rendering (\'"port1"\' or 0:4:0:a:1:5) or null';
  if (typeof value === 'string') {
    if (value === '') return { problem: `${expected}; found an empty string` };
    if (value.startsWith('"')) {
      const hex = parseGluffOptionText(value);
      return hex === null
        ? {
            problem: `a quoted value must be Gluff's rendering (escapes \\" \\' \\$ \\\\ \\\`); found ${JSON.stringify(value)}`,
          }
        : { hex };
    }
    if (value.includes(':')) {
      const hex = parseGluffOptionText(value);
      if (hex !== null) return { hex };
    }
    return { hex: textToHex(value) };
  }
  if (isObj(value)) {
    const keys = Object.keys(value);
    if (keys.length !== 1 || (keys[0] !== 'text' && keys[0] !== 'hex')) {
      return { problem: `${expected}; found a mapping with keys ${keys.join(', ') || '(none)'}` };
    }
    const inner = value[keys[0] as string];
    if (typeof inner !== 'string') return { problem: `${keys[0]} must be a string; found ${show(inner)}` };
    if (keys[0] === 'text') return { hex: textToHex(inner) };
    const bytes = hexToBytes(inner.trim());
    if (bytes === null || bytes.length === 0) {
      return {
        problem: `hex must be bytes like 00:04:00:0a:01:05 or 0004000a0105; found ${JSON.stringify(inner)}`,
      };
    }
    return { hex: bytesToHex(bytes) };
  }
  return { problem: `${expected}; found ${show(value)}` };
}

// --- field readers: each records a problem and returns a placeholder so validation carries on ---

function str(p: Problems, obj: Obj, key: string, path: string, required: true): string;
function str(p: Problems, obj: Obj, key: string, path: string, required: false): string | undefined;
function str(p: Problems, obj: Obj, key: string, path: string, required: boolean): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) {
    if (required) p.add(join(path, key), 'required: a non-empty string', v);
    return required ? '' : undefined;
  }
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string' || v.trim() === '') {
    p.add(join(path, key), 'expected a non-empty string', v);
    return '';
  }
  return v.trim();
}

function duration(p: Problems, obj: Obj, key: string, path: string, fallback: number | undefined): number {
  const v = obj[key];
  if (v === undefined) {
    if (fallback === undefined) p.add(join(path, key), 'required: a duration (600, 10m, 1h)');
    return fallback ?? 0;
  }
  const sec = parseDurationSec(v);
  if (sec === null) {
    p.add(join(path, key), 'expected a whole number of seconds or a duration such as 600, 10m, 1h, 1h30m', v);
    return fallback ?? 0;
  }
  return sec;
}

function zone(p: Problems, obj: Obj, key: string, path: string, required: boolean): string | undefined {
  const v = str(p, obj, key, path, required as false);
  if (v === undefined || v === '') return v;
  if (!isKnownZone(v)) {
    p.add(join(path, key), 'expected an IANA time zone such as Europe/Stockholm or UTC', v);
    return '';
  }
  return v;
}

function list(p: Problems, obj: Obj, key: string, path: string, required: boolean): unknown[] {
  const v = obj[key];
  if (v === undefined || v === null) {
    if (required) p.add(join(path, key), 'required: a non-empty list', v);
    return [];
  }
  if (!Array.isArray(v)) {
    p.add(join(path, key), 'expected a list', v);
    return [];
  }
  if (required && v.length === 0) p.add(join(path, key), 'expected at least one entry; found an empty list');
  return v;
}

function mapping(p: Problems, obj: Obj, key: string, path: string, required: boolean): Obj | undefined {
  const v = obj[key];
  if (v === undefined || v === null) {
    if (required) p.add(join(path, key), 'required: a mapping', v);
    return undefined;
  }
  if (!isObj(v)) {
    p.add(join(path, key), 'expected a mapping', v);
    return undefined;
  }
  return v;
}

function unique(p: Problems, values: { path: string; value: string }[], what: string): void {
  const seen = new Map<string, string>();
  for (const { path, value } of values) {
    if (value === '') continue;
    const first = seen.get(value);
    if (first !== undefined)
      p.add(path, `${what} must be unique; ${JSON.stringify(value)} is already used at ${first}`);
    else seen.set(value, path);
  }
}

// --- sections ---

function readServers(p: Problems, doc: Obj): ServerSpec[] {
  const servers = list(p, doc, 'servers', '', true).map((entry, i): ServerSpec => {
    const path = `servers[${i}]`;
    if (!isObj(entry)) {
      p.add(path, 'expected a mapping {host, role, zone}', entry);
      return { host: '', role: 'primary', zone: 'UTC' };
    }
    checkKeys(p, path, entry, ['host', 'role', 'zone']);
    const host = str(p, entry, 'host', path, true);
    const role = entry.role;
    if (role !== 'primary' && role !== 'secondary')
      p.add(`${path}.role`, "expected 'primary' or 'secondary'", role);
    const z = zone(p, entry, 'zone', path, true) ?? '';
    return { host, role: role === 'secondary' ? 'secondary' : 'primary', zone: z };
  });
  unique(
    p,
    servers.map((s, i) => ({ path: `servers[${i}].host`, value: s.host })),
    'server host',
  );
  const raw: unknown[] = Array.isArray(doc.servers) ? doc.servers : [];
  for (const role of ['primary', 'secondary'] as const) {
    const n = raw.filter((e) => isObj(e) && e.role === role).length;
    if (n > 1) p.add('servers', `expected at most one ${role} server (a failover pair); found ${n}`);
  }
  return servers;
}

function readLease(p: Problems, doc: Obj): LeaseTimingSpec {
  const d = RIG_SPEC_DEFAULTS.lease;
  const m = mapping(p, doc, 'lease', '', false) ?? {};
  checkKeys(p, 'lease', m, ['defaultSec', 'minSec', 'maxSec', 'mcltSec']);
  const lease = {
    defaultSec: duration(p, m, 'defaultSec', 'lease', d.defaultSec),
    minSec: duration(p, m, 'minSec', 'lease', d.minSec),
    maxSec: duration(p, m, 'maxSec', 'lease', d.maxSec),
    mcltSec: duration(p, m, 'mcltSec', 'lease', d.mcltSec),
  };
  if (lease.defaultSec === 0) p.add('lease.defaultSec', 'expected a lease time above 0 s', 0);
  if (!(lease.minSec <= lease.defaultSec && lease.defaultSec <= lease.maxSec)) {
    p.add(
      'lease',
      `expected minSec <= defaultSec <= maxSec; found ${lease.minSec} <= ${lease.defaultSec} <= ${lease.maxSec}`,
    );
  }
  return lease;
}

function readOption(p: Problems, entry: Obj, key: string, path: string, required: boolean): string | null {
  if (!(key in entry)) {
    if (required) p.add(join(path, key), 'required (write null when the switch sends none)');
    return null;
  }
  const v = entry[key];
  if (v === null) return null;
  const r = parseSpecOptionValue(v);
  if ('problem' in r) {
    p.add(join(path, key), r.problem);
    return null;
  }
  return r.hex;
}

function readSwitch(p: Problems, doc: Obj): RigSpec['switch'] {
  const m = mapping(p, doc, 'switch', '', true) ?? {};
  checkKeys(p, 'switch', m, ['name', 'ports']);
  const name = str(p, m, 'name', 'switch', false) ?? RIG_SPEC_DEFAULTS.switchName;
  const ports = list(p, m, 'ports', 'switch', true).map((entry, i): SwitchPortSpec => {
    const path = `switch.ports[${i}]`;
    if (!isObj(entry)) {
      p.add(path, 'expected a mapping {name, switchIf, circuitId, remoteId}', entry);
      return { name: '', switchIf: '', circuitIdHex: null, remoteIdHex: null };
    }
    checkKeys(p, path, entry, ['name', 'switchIf', 'circuitId', 'remoteId']);
    return {
      name: str(p, entry, 'name', path, true),
      switchIf: str(p, entry, 'switchIf', path, true),
      circuitIdHex: readOption(p, entry, 'circuitId', path, true),
      remoteIdHex: readOption(p, entry, 'remoteId', path, false),
    };
  });
  unique(
    p,
    ports.map((x, i) => ({ path: `switch.ports[${i}].name`, value: x.name })),
    'port name',
  );
  unique(
    p,
    ports.map((x, i) => ({ path: `switch.ports[${i}].switchIf`, value: x.switchIf })),
    'switchIf',
  );
  // Two ports stamping the same (circuit-id, remote-id) could not be told apart in Gluff's table.
  unique(
    p,
    ports.map((x, i) => ({
      path: `switch.ports[${i}].circuitId`,
      value: x.circuitIdHex === null ? '' : `${x.circuitIdHex}/${x.remoteIdHex ?? ''}`,
    })),
    'circuitId (with remoteId)',
  );
  return { name, ports };
}

function readSegments(p: Problems, doc: Obj, switchIfs: Set<string>): ClientSegmentSpec[] {
  const segments = list(p, doc, 'clientSegments', '', true).map((entry, i): ClientSegmentSpec => {
    const path = `clientSegments[${i}]`;
    if (!isObj(entry)) {
      p.add(path, 'expected a mapping {iface, macs}', entry);
      return { iface: '', macs: [] };
    }
    checkKeys(p, path, entry, ['iface', 'macs']);
    const iface = str(p, entry, 'iface', path, true);
    if (switchIfs.has(iface))
      p.add(`${path}.iface`, `a client-side interface cannot also be a switch port's switchIf`, iface);
    const macs = list(p, entry, 'macs', path, false).map((mac, j) => {
      const n = typeof mac === 'string' ? normaliseMac(mac) : null;
      if (n === null) p.add(`${path}.macs[${j}]`, 'expected a MAC such as 52:54:00:12:34:56', mac);
      return n ?? '';
    });
    return { iface, macs };
  });
  unique(
    p,
    segments.map((s, i) => ({ path: `clientSegments[${i}].iface`, value: s.iface })),
    'iface',
  );
  unique(
    p,
    segments.flatMap((s, i) =>
      s.macs.map((mac, j) => ({ path: `clientSegments[${i}].macs[${j}]`, value: mac })),
    ),
    'MAC',
  );
  return segments;
}

function readTolerances(p: Problems, doc: Obj, servers: ServerSpec[]): ToleranceSpec {
  const d = RIG_SPEC_DEFAULTS.tolerances;
  const m = mapping(p, doc, 'tolerances', '', false) ?? {};
  checkKeys(p, 'tolerances', m, ['startSkewSec', 'endSkewSec', 'approxEndSkewSec', 'settleSec', 'gluffZone']);
  const primary = servers.find((s) => s.role === 'primary') ?? servers[0];
  let gluffZone = zone(p, m, 'gluffZone', 'tolerances', false);
  if (gluffZone === undefined) {
    gluffZone = primary?.zone ?? 'UTC';
    const zones = new Set(servers.map((s) => s.zone));
    if (zones.size > 1) {
      p.add(
        'tolerances.gluffZone',
        `required when the servers have different zones (${[...zones].join(', ')}): the zone Gluff wrote its timestamps in`,
      );
    }
  }
  return {
    startSkewSec: duration(p, m, 'startSkewSec', 'tolerances', d.startSkewSec),
    endSkewSec: duration(p, m, 'endSkewSec', 'tolerances', d.endSkewSec),
    approxEndSkewSec: duration(p, m, 'approxEndSkewSec', 'tolerances', d.approxEndSkewSec),
    settleSec: duration(p, m, 'settleSec', 'tolerances', d.settleSec),
    gluffZone,
  };
}

function readPortDisagreement(p: Problems, doc: Obj): Record<PortDisagreementCulprit, 'warn' | 'fail'> {
  const m = mapping(p, doc, 'portDisagreement', '', false) ?? {};
  const culprits = Object.keys(RIG_SPEC_DEFAULTS.portDisagreement) as PortDisagreementCulprit[];
  checkKeys(p, 'portDisagreement', m, culprits);
  const out = { ...RIG_SPEC_DEFAULTS.portDisagreement };
  for (const c of culprits) {
    const v = m[c];
    if (v === undefined) continue;
    if (v !== 'warn' && v !== 'fail') p.add(`portDisagreement.${c}`, "expected 'warn' or 'fail'", v);
    else out[c] = v;
  }
  return out;
}

function readMemory(p: Problems, doc: Obj): MemorySpec {
  const d = RIG_SPEC_DEFAULTS.memory;
  const m = mapping(p, doc, 'memory', '', false) ?? {};
  checkKeys(p, 'memory', m, [
    'warmupSec',
    'minSamples',
    'minDurationSec',
    'maxSlopeBytesPerHour',
    'maxGrowthBytes',
  ]);
  const bytes = (key: 'maxSlopeBytesPerHour' | 'maxGrowthBytes'): number => {
    const v = m[key];
    if (v === undefined) return d[key];
    const n = parseByteSize(v);
    if (n === null) p.add(`memory.${key}`, 'expected a byte count such as 1048576, 512KiB, 1MiB', v);
    return n ?? d[key];
  };
  let minSamples: number = d.minSamples;
  if (m.minSamples !== undefined) {
    if (typeof m.minSamples === 'number' && Number.isSafeInteger(m.minSamples) && m.minSamples >= 2) {
      minSamples = m.minSamples;
    } else p.add('memory.minSamples', 'expected a whole number >= 2', m.minSamples);
  }
  return {
    warmupSec: duration(p, m, 'warmupSec', 'memory', d.warmupSec),
    minSamples,
    minDurationSec: duration(p, m, 'minDurationSec', 'memory', d.minDurationSec),
    maxSlopeBytesPerHour: bytes('maxSlopeBytesPerHour'),
    maxGrowthBytes: bytes('maxGrowthBytes'),
  };
}

const TOP_KEYS = [
  'name',
  'servers',
  'lease',
  'switch',
  'permuterHost',
  'permuterZone',
  'clientSegments',
  'tolerances',
  'portDisagreement',
  'memory',
] as const;

/**
 * Validates a parsed rig spec document. `fileName` is used in messages and as the default `name`.
 * Throws AuditError GV_SPEC_INVALID listing every problem, one per line:
 * `specs/rig.yaml: switch.ports[1].circuitId: hex must be bytes like 00:04:00:0a:01:05 ...; found "zz"`.
 */
export function validateRigSpec(doc: unknown, fileName: string): RigSpec {
  const p = new Problems();
  if (!isObj(doc)) {
    throw new AuditError(
      'GV_SPEC_INVALID',
      `${fileName}: expected a mapping with keys ${TOP_KEYS.join(', ')}; found ${show(doc)}`,
    );
  }
  checkKeys(p, '', doc, TOP_KEYS);
  const baseName = fileName.replace(/^.*[\\/]/, '').replace(/\.(ya?ml|json)$/i, '');
  const name = str(p, doc, 'name', '', false) ?? baseName;
  const servers = readServers(p, doc);
  const lease = readLease(p, doc);
  const sw = readSwitch(p, doc);
  const permuterHost = str(p, doc, 'permuterHost', '', false) ?? RIG_SPEC_DEFAULTS.permuterHost;
  const permuterZone = zone(p, doc, 'permuterZone', '', false) ?? RIG_SPEC_DEFAULTS.permuterZone;
  const clientSegments = readSegments(p, doc, new Set(sw.ports.map((x) => x.switchIf)));
  const tolerances = readTolerances(p, doc, servers);
  const portDisagreement = readPortDisagreement(p, doc);
  const memory = readMemory(p, doc);
  if (p.list.length > 0) {
    const n = p.list.length;
    throw new AuditError(
      'GV_SPEC_INVALID',
      `${fileName}: ${n} problem${n === 1 ? '' : 's'} (field reference: specs/rig-spec.md)\n` +
        p.list.map((line) => `  ${fileName}: ${line}`).join('\n'),
    );
  }
  return {
    name,
    servers,
    lease,
    switch: sw,
    permuterHost,
    permuterZone,
    clientSegments,
    tolerances,
    portDisagreement,
    memory,
  };
}
