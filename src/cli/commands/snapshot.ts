/**
 * `gluff-verify snapshot --gluff mysql://USER@HOST/DB --out FILE.db`: copies Gluff's tables into a SQLite
 * file that `--gluff sqlite:FILE.db` reads back as the same rows. Read-only on MySQL.
 */
import { ExitCode } from '../../model/errors.js';
import { openGluffMysql, describeGluffMysql } from '../../sources/mysql/gluff-reader.js';
import { writeGluffSnapshot } from '../../sources/sqlite/gluff-snapshot.js';
import { parseCommandArgs, requireOption, type Command } from '../command.js';
import { GLUFF_SOURCE_HELP, GLUFF_SOURCE_OPTIONS, resolveGluffMysqlConfig } from '../gluff-source.js';

const help = `Usage: gluff-verify snapshot [--gluff mysql://USER@HOST[:PORT]/DB] --out FILE.db

Copies Gluff's leases, ips, hws, cids and rids tables (raw values; timestamps as the text the server
returned, with the session time zone they were read in) into a new SQLite file. Verify against it
later with --gluff sqlite:FILE.db. An existing FILE.db is replaced. Needs SELECT only.

Options:
${GLUFF_SOURCE_HELP}
  --out FILE.db         the snapshot file to write

Example:
  GLUFF_DBPWD=... gluff-verify snapshot --gluff mysql://gluffro@db1/dhcpd_leases --out reports/gluff.db
`;

export const command: Command = {
  name: 'snapshot',
  summary: 'copy the Gluff tables from MySQL into a SQLite file',
  help,
  async run(argv, io) {
    const { values } = parseCommandArgs('snapshot', argv, {
      ...GLUFF_SOURCE_OPTIONS,
      out: { type: 'string' },
    });
    const out = requireOption('snapshot', 'out', values.out);
    const config = resolveGluffMysqlConfig(
      values.gluff,
      {
        env: io.env,
        ...(values['defaults-file'] === undefined ? {} : { defaultsFile: values['defaults-file'] }),
      },
      'snapshot',
    );
    const takenAtMs = io.nowMs();
    const reader = await openGluffMysql(config);
    let counts;
    try {
      counts = await writeGluffSnapshot(out, reader, { source: describeGluffMysql(config), takenAtMs });
    } finally {
      await reader.close();
    }
    io.stdout.write(
      `snapshot: ${counts.leases} leases, ${counts.ips} ips, ${counts.hws} hws, ${counts.cids} cids, ${counts.rids} rids ` +
        `from ${describeGluffMysql(config)} (session time zone ${reader.session.timeZone}` +
        `${reader.session.timeZone === 'SYSTEM' ? ` = ${reader.session.systemTimeZone}` : ''}) -> ${out}\n`,
    );
    return ExitCode.pass;
  },
};
