/**
 * `gluff-verify verify`: rebuild the expected rows from the event store, diff them against the Gluff
 * tables (none with `--gluff none`: the rig and channel check themselves), and print the verdict;
 * optionally write JSON, JUnit and a report folder. Exit code = verdict.
 */
import { ExitCode, type ExitCodeValue } from '../../model/errors.js';
import type { VerificationResult } from '../../model/lease.js';
import { EventStore } from '../../sources/sqlite/event-store.js';
import { loadRigSpec } from '../../spec/load-rig-spec.js';
import {
  parseCommandArgs,
  requireOption,
  WINDOW_HELP,
  WINDOW_OPTIONS,
  windowFromArgs,
  type CliIo,
  type Command,
} from '../command.js';
import { GLUFF_SOURCE_HELP, GLUFF_SOURCE_OPTIONS, resolveGluffSource } from '../gluff-source.js';
import {
  reportToStdout,
  terminalColor,
  unwrittenReportsError,
  VERDICT_EXIT,
  writeReports,
} from '../report-files.js';
import { renderTerminalReport } from '../../report/terminal-report.js';
import { runVerification } from '../verification.js';

const HELP = `Usage: gluff-verify verify --store DB --spec SPEC [--gluff LOCATION|none] [options]

Rebuilds the lease rows Gluff should have written from the event store (syslog collected or ingested),
reads the rows Gluff did write, and names every difference. Exit code: 0 pass, 1 regressions found,
2 inconclusive (the evidence is incomplete), 3 usage/config/environment error, 4 internal error.

With --gluff none (a run of stock dhcpd with no Gluff, e.g. the one-box rig without Gluff) no Gluff rows
are read and no lease row is compared (no clock-skew, no diff, no attribution): the rebuild's own findings
(channel gaps, unsettled rows, port disagreements), the memory verdicts and a self-check decide: every
client MAC of the spec's clientSegments must hold a rebuilt lease in the window, else it is a
client-silent failure (the rig or the channel is broken). The reports say 'Gluff: none'.

What the rig driver logged it did (gv-rig lines, 'event=NAME key=value ...') in the window is listed in
every report; it never changes the verdict.

Options:
  --store DB            event store written by 'collect' or 'ingest'
  --spec SPEC           rig spec (YAML or JSON), e.g. specs/seed-rig.yaml
${GLUFF_SOURCE_HELP}
${WINDOW_HELP}
  --json FILE           write the JSON report (schema: specs/report.schema.json)
  --junit FILE          write JUnit XML (one suite per check family, one case per family and IP)
  --html FILE           write a self-contained HTML page (verdict, channel, memory, every finding
                        with its rows and raw evidence)
                        FILE '-' is stdout, for one of the three: stdout then holds that document
                        alone and the terminal report goes to stderr
  --report-dir DIR      write verdict.txt, report.json, junit.xml and report.html into DIR (created if
                        missing)
                        A report that cannot be written does not stop the others: all are written
                        that can be, then verify exits 3 (GV_OUTPUT_WRITE) naming each one that could not
  --max-findings N      findings shown in full on the terminal (default 10)
  --warnings            list warnings in full on the terminal too (they are counted otherwise)

Examples:
  GLUFF_DBPWD=... gluff-verify verify --store soak.db --spec specs/seed-rig.yaml \\
      --gluff mysql://gluffro@db1/dhcpd_leases --junit reports/junit.xml
  gluff-verify verify --store soak.db --spec specs/seed-rig.yaml --gluff sqlite:gluff-snapshot.db --json - | jq .counts
  gluff-verify verify --store rig.db --spec rig.yaml --gluff none --report-dir reports/stock-dhcpd
`;

async function run(argv: string[], io: CliIo): Promise<ExitCodeValue> {
  const { values } = parseCommandArgs('verify', argv, {
    store: { type: 'string' },
    spec: { type: 'string' },
    ...GLUFF_SOURCE_OPTIONS,
    ...WINDOW_OPTIONS,
    json: { type: 'string' },
    junit: { type: 'string' },
    html: { type: 'string' },
    'report-dir': { type: 'string' },
    'max-findings': { type: 'string', default: '10' },
    warnings: { type: 'boolean', default: false },
  });
  const storePath = requireOption('verify', 'store', values.store);
  const specPath = requireOption('verify', 'spec', values.spec);
  const { window, asOfMs } = windowFromArgs('verify', values, io.nowMs());
  const terminal = reportToStdout('verify', values) === null ? io.stdout : io.stderr;
  const spec = loadRigSpec(specPath);
  const gluff = resolveGluffSource(values.gluff, {
    env: io.env,
    ...(values['defaults-file'] === undefined ? {} : { defaultsFile: values['defaults-file'] }),
  });
  const store = EventStore.open(storePath, { readonly: true });
  let result: VerificationResult;
  try {
    result = await runVerification({ store, spec, specName: specPath, gluff, asOfMs, window });
  } finally {
    store.close();
  }
  const maxFindings = Number(values['max-findings']);
  terminal.write(
    renderTerminalReport(result, {
      color: terminalColor(io, terminal),
      maxFindings: Number.isInteger(maxFindings) && maxFindings >= 0 ? maxFindings : 10,
      showWarnings: values.warnings === true,
    }),
  );
  const writes = writeReports(result, {
    json: values.json,
    junit: values.junit,
    html: values.html,
    reportDir: values['report-dir'],
    stdout: io.stdout,
  });
  for (const path of writes.written) io.stderr.write(`report: ${path}\n`);
  if (writes.failed.length > 0) throw unwrittenReportsError(writes.failed);
  return VERDICT_EXIT[result.verdict] ?? ExitCode.internal;
}

export const command: Command = {
  name: 'verify',
  summary: 'diff the rebuilt rows against the Gluff tables and give a verdict',
  help: HELP,
  run,
};
