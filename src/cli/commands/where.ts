/**
 * `gluff-verify where IP --at T`: who had the address at T, by Gluff's table and by the lease history rebuilt
 * from the secondary channel, side by side, with verify's one-word verdict on them. Exit code: 0 agree,
 * 1 disagree, 2 cannot be told.
 */
import { AuditError, type ExitCodeValue } from '../../model/errors.js';
import { AGREEMENT_EXIT } from '../../query/where-answer.js';
import { renderWhereText, whereJson } from '../../report/where-report.js';
import { encodeIpv4 } from '../../sources/sqlite/row-codec.js';
import { loadRigSpec } from '../../spec/load-rig-spec.js';
import { ANSWER_SOURCES_HELP, openAnswerSources, renderContext, TIME_HELP } from '../answer-sources.js';
import { parseCommandArgs, parseUserTime, requireOption, type CliIo, type Command } from '../command.js';
import { GLUFF_SOURCE_OPTIONS } from '../gluff-source.js';

const HELP = `Usage: gluff-verify where IP --at T --spec SPEC [--store DB] [--gluff LOCATION|none] [options]

Who had address IP at time T, on which switch port: Gluff's row(s) covering T (id, start, end, MAC,
circuit-id and remote-id as stored and as the spec's port name) and the lease stint rebuilt from the
secondary channel covering T (with its evidence: the ACK, the commit line, the permuter map in force), and
one word for how they compare, which is verify's own verdict on that stint and those rows:

  agree         both sources hold the same lease and verify finds nothing wrong with it
  disagree      verify fails the stint or a row at T: what differs is listed, with the finding's kind and
                the culprit and rule attribution names (dhcpd, Gluff's queue patch, gluff)
  gluff-only    only Gluff's table has it (or no event store was given)
  channel-only  only the rebuilt history has it (or no Gluff table was given)
  unknown       the evidence cannot decide: neither source has a lease at T, or the collector lost
                messages then, the permuter's port is unknown, or T is too recent to have settled

The event store is read through its lookup index: one address's lines between two quiet stretches (two
maximum leases long), not the whole store, judged as verify judges the whole store.

Exit code: 0 agree, 1 disagree, 2 cannot be told (gluff-only, channel-only, unknown), 3 usage, config or
environment error (GV_* code), 4 internal error.

Options:
  --at T                the instant asked about (required)
${ANSWER_SOURCES_HELP}

${TIME_HELP}

Examples:
  gluff-verify where 10.77.1.58 --at 2026-11-28T02:55:00Z --store rig.db --spec rig.yaml \\
      --gluff mysql://gluffro@db1/dhcpd_leases
  gluff-verify where 10.77.1.58 --at '2026-11-28 03:55' --store rig.db --spec rig.yaml --gluff none --json
`;

async function run(argv: string[], io: CliIo): Promise<ExitCodeValue> {
  const { values, positionals } = parseCommandArgs(
    'where',
    argv,
    {
      store: { type: 'string' },
      spec: { type: 'string' },
      ...GLUFF_SOURCE_OPTIONS,
      at: { type: 'string' },
      'as-of': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    true,
  );
  if (positionals.length !== 1) {
    throw new AuditError(
      'GV_USAGE',
      `where: expected one address (where IP --at T); found ${positionals.length === 0 ? 'none' : positionals.join(' ')}; see 'gluff-verify where --help'`,
    );
  }
  const ip = positionals[0]!;
  if (encodeIpv4(ip) === null) {
    throw new AuditError(
      'GV_USAGE',
      `where: '${ip}' is not an IPv4 address; expected a dotted quad such as 10.1.0.50`,
    );
  }
  const atText = requireOption('where', 'at', values.at);
  const specPath = requireOption('where', 'spec', values.spec);
  const spec = loadRigSpec(specPath);
  const zone = spec.tolerances.gluffZone;
  const at = parseUserTime('where', 'at', atText, zone);
  const asOfMs =
    values['as-of'] === undefined ? io.nowMs() : parseUserTime('where', 'as-of', values['as-of'], zone).ms;
  const sources = openAnswerSources('where', values, spec, asOfMs, io);
  try {
    const { answer, result } = await sources.lookup.where(ip, at.ms);
    const map = result.events
      .filter((e) => e.kind === 'port-map' && e.host === spec.permuterHost && e.timeMs <= at.ms)
      .pop();
    const mapId = answer.stint === null || map === undefined ? null : map.id;
    const ids = [...(answer.stint?.evidence ?? []), ...(mapId === null ? [] : [mapId])];
    const ctx = renderContext(sources, spec, asOfMs, ids);
    const opts = { readInZone: at.readInZone, mapId };
    io.stdout.write(
      values.json
        ? `${JSON.stringify(whereJson(answer, ctx, opts), null, 2)}\n`
        : renderWhereText(answer, ctx, opts),
    );
    return AGREEMENT_EXIT[answer.agreement];
  } finally {
    sources.close();
  }
}

export const command: Command = {
  name: 'where',
  summary: 'who had an address at an instant, by Gluff and by the channel, and whether they agree',
  help: HELP,
  run,
};
