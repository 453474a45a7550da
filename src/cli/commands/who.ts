/**
 * `gluff-verify who MAC [--from T] [--to T]`: every lease stint of a client, per source, with verify's
 * agreement on each; `who --port NAME --at T`: who was behind a switch port at T.
 */
import type { Agreement } from '../../model/answer.js';
import { AuditError, type ExitCodeValue } from '../../model/errors.js';
import { portJson, renderPortText, renderWhoText, whoJson } from '../../report/where-report.js';
import { encodeMac } from '../../sources/sqlite/row-codec.js';
import { loadRigSpec } from '../../spec/load-rig-spec.js';
import { ANSWER_SOURCES_HELP, openAnswerSources, renderContext, TIME_HELP } from '../answer-sources.js';
import {
  parseCommandArgs,
  parseUserTime,
  requireOption,
  windowFromArgs,
  type CliIo,
  type Command,
} from '../command.js';
import { GLUFF_SOURCE_OPTIONS } from '../gluff-source.js';

const HELP = `Usage: gluff-verify who MAC [--from T] [--to T] --spec SPEC [--store DB] [--gluff LOCATION|none] [options]
       gluff-verify who --port NAME --at T --spec SPEC [--store DB] [--gluff LOCATION|none] [options]

Where was this client: every lease stint of MAC meeting [--from, --to) (default: all), with its address,
switch port and times, per source (the rebuilt history, Gluff's rows, or both) and verify's agreement on
each (agree, disagree, gluff-only, channel-only, unknown: see 'gluff-verify where --help').

With --port NAME --at T (NAME a port of the spec's switch): who was behind that port at T: every address
whose client either source puts there (a commit line naming the port's circuit-id, the permuter's map of
the spec's client segments, a Gluff row with the port's Option 82), each answered as 'where' answers it.

Exit code: 1 when any stint or client disagrees, else 0 when every one agrees (and there is one), else 2;
3 usage, config or environment error (GV_* code), 4 internal error.

Options:
  --from T, --to T      the stints meeting [from, to) (MAC form)
  --port NAME --at T    who was behind the switch port NAME at T (instead of a MAC)
${ANSWER_SOURCES_HELP}

${TIME_HELP}

Examples:
  gluff-verify who 02:0a:00:77:05:05 --store rig.db --spec rig.yaml --gluff sqlite:gluff.db
  gluff-verify who --port gvrgrp1 --at '2026-11-28 03:55' --store rig.db --spec rig.yaml --json
`;

/** 1 when any disagrees, else 0 when all (at least one) agree, else 2. */
function exitOf(words: readonly Agreement[]): ExitCodeValue {
  if (words.includes('disagree')) return 1;
  return words.length > 0 && words.every((w) => w === 'agree') ? 0 : 2;
}

async function run(argv: string[], io: CliIo): Promise<ExitCodeValue> {
  const { values, positionals } = parseCommandArgs(
    'who',
    argv,
    {
      store: { type: 'string' },
      spec: { type: 'string' },
      ...GLUFF_SOURCE_OPTIONS,
      from: { type: 'string' },
      to: { type: 'string' },
      at: { type: 'string' },
      port: { type: 'string' },
      'as-of': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    true,
  );
  const specPath = requireOption('who', 'spec', values.spec);
  const byPort = values.port !== undefined;
  if (byPort ? positionals.length !== 0 : positionals.length !== 1) {
    throw new AuditError(
      'GV_USAGE',
      `who: expected a MAC (who MAC [--from T] [--to T]) or --port NAME --at T, not both; found ${positionals.length === 0 ? 'no MAC' : positionals.join(' ')}; see 'gluff-verify who --help'`,
    );
  }
  if (byPort && (values.from !== undefined || values.to !== undefined)) {
    throw new AuditError('GV_USAGE', 'who: --port takes --at T, not --from/--to');
  }
  if (!byPort && values.at !== undefined) {
    throw new AuditError('GV_USAGE', 'who: --at goes with --port; a MAC takes --from/--to');
  }
  const spec = loadRigSpec(specPath);
  const zone = spec.tolerances.gluffZone;
  const asOfMs =
    values['as-of'] === undefined ? io.nowMs() : parseUserTime('who', 'as-of', values['as-of'], zone).ms;
  if (byPort) {
    const port = values.port!;
    const at = parseUserTime('who', 'at', requireOption('who', 'at', values.at), zone);
    const sources = openAnswerSources('who', values, spec, asOfMs, io);
    try {
      const answers = await sources.lookup.port(port, at.ms);
      const ctx = renderContext(sources, spec, asOfMs, []);
      const opts = { atMs: at.ms, readInZone: at.readInZone };
      io.stdout.write(
        values.json
          ? `${JSON.stringify(portJson(port, answers, ctx, opts), null, 2)}\n`
          : renderPortText(port, answers, ctx, opts),
      );
      return exitOf(answers.map((a) => a.agreement));
    } finally {
      sources.close();
    }
  }
  const mac = positionals[0]!.toLowerCase();
  if (encodeMac(mac) === null) {
    throw new AuditError(
      'GV_USAGE',
      `who: '${positionals[0]}' is not a MAC address; expected six colon-separated bytes such as 02:0a:00:77:05:05`,
    );
  }
  const { window } = windowFromArgs('who', { from: values.from, to: values.to }, asOfMs, zone);
  const range = { fromMs: window.fromMs, toMs: window.toMs };
  const sources = openAnswerSources('who', values, spec, asOfMs, io);
  try {
    const stints = await sources.lookup.who(mac, range);
    const ctx = renderContext(
      sources,
      spec,
      asOfMs,
      stints.flatMap((s) => s.stint?.evidence ?? []),
    );
    io.stdout.write(
      values.json
        ? `${JSON.stringify(whoJson(mac, stints, ctx, range), null, 2)}\n`
        : renderWhoText(mac, stints, ctx, range),
    );
    return exitOf(stints.map((s) => s.agreement));
  } finally {
    sources.close();
  }
}

export const command: Command = {
  name: 'who',
  summary: 'every lease stint of a client (or who was behind a switch port), by Gluff and by the channel',
  help: HELP,
  run,
};
