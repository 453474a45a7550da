/**
 * `gluff-verify rig`: the seed's rig on this one box (network namespaces) with your dhcpd and gluff builds,
 * or Debian's stock dhcpd alone, judged by `verify` at the end. The rig itself is scripts/rig-soak.sh (and
 * test/capture/run-gluff-rig.sh under it); this command checks its options, hands them over as the
 * script's settings and returns the script's exit code unchanged: the verdict's (0 pass, 1 fail,
 * 2 inconclusive), 3 for a missing prerequisite or a failed rig. `make rig-soak` runs the same script, but
 * make turns every non-zero code into 2: cron and CI should call this command (or the script).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AuditError, ExitCode, type ExitCodeValue } from '../../model/errors.js';
import { parseCommandArgs, type CliIo, type Command } from '../command.js';

const FAULT_NAMES = ['gluff-stop', 'dhcpd-restart', 'partner-down', 'release-after-restart'] as const;

const HELP = `Usage: gluff-verify rig [options]
       gluff-verify rig down [--rig-id ID|all] [--force] [--purge]

Runs the seed's rig on this box, in network namespaces it creates (gvrg<ID>-*), as root: two dhcpd in
failover, each with -ldb and its own gluff writing to a fresh MariaDB database (Gluff's schema), dhcrelay -a
as the switch stamping Option 82, the permuter re-pairing client segments with switch ports, dhclient
clients with churn, every host's syslog into the collector, the real dhcpd's and gluff's memory sampled.
At the end the clients stop, the queues drain and verify judges the store against Gluff's table (leases,
attribution, memory). Reports go to REPORTS/rig-<UTC>/. Exit code: verify's (0 pass, 1 fail,
2 inconclusive); 3 a missing prerequisite (all are listed) or a failed rig. See README "Rig on one box".

Options:
  --dhcpd PATH          the Gluff-patched dhcpd (default /opt/gluff-rig/bin/dhcpd: specs/build-gluff-rig.sh)
  --gluff PATH          gluff (default /opt/gluff-rig/bin/gluff)
  --stock               Debian's stock dhcpd (default /usr/sbin/dhcpd), no queue, no gluff, no database:
                        the rig and the collector check themselves (verify --gluff none)
  --hours H             run time, e.g. 0.5 (or --minutes M, --seconds S); 90 s .. 24 h, default 8 minutes
  --clients N           dhclient clients, 1..40 (default 6: the paper's c1..c6, c5 and c6 on one hub)
  --topology T          one-subnet (default: one client subnet behind every port, a moved client keeps its
                        address) or subnet-per-port
  --reshuffle TIME      time between permuter moves, 20s..2h, e.g. 55 or 20m (default 55 s)
  --lease TIME          dhcpd's default lease time, e.g. 120 or 10m (default 120 s; min half, max 1.5 x)
  --churn SEC           seconds between client churn events (release, vanish until expiry, reboot); 0: none
  --faults LIST         comma list: ${FAULT_NAMES.join(', ')};
                        each at a fixed part of the run and logged as a rig event (gv-rig) the reports show
  --seed N              permuter and churn seed (default: the start time)
  --rig-id ID           0-4 of a-z 0-9 (default: the first free one), so two rigs run side by side
  --tz ZONE             the rig hosts' wall-clock zone (default Europe/Stockholm)
  --reports DIR         where the run's folder goes (default reports/)
  --mysql-socket PATH   MariaDB's unix socket (default /run/mysqld/mysqld.sock; root connects through it)

rig down: removes what a killed run left (namespaces, their processes, scratch directories); a run still
alive is left alone unless --force; --purge also drops the rig's databases and users.

Examples:
  sudo gluff-verify rig --hours 0.5 --faults gluff-stop,release-after-restart
  sudo gluff-verify rig --stock --seconds 150 --clients 3
  sudo gluff-verify rig down --rig-id all --purge
`;

/** Options -> the script's settings (its environment). Throws GV_USAGE on a bad value. */
export function rigSettings(values: Record<string, string | boolean | undefined>): Record<string, string> {
  const env: Record<string, string> = {};
  const set = (key: string, value: string | boolean | undefined): void => {
    if (typeof value === 'string') env[key] = value;
  };
  const times = ['hours', 'minutes', 'seconds'].filter((k) => values[k] !== undefined);
  if (times.length > 1)
    throw new AuditError(
      'GV_USAGE',
      `rig: give one of --hours, --minutes, --seconds (got ${times.join(', ')})`,
    );
  for (const f of typeof values.faults === 'string' ? values.faults.split(',') : []) {
    if (!(FAULT_NAMES as readonly string[]).includes(f))
      throw new AuditError(
        'GV_USAGE',
        `rig: --faults: unknown fault '${f}'; known: ${FAULT_NAMES.join(', ')}`,
      );
  }
  if (values.stock === true) env.STOCK = '1';
  set('DHCPD', values.dhcpd);
  set('GLUFF', values.gluff);
  set('HOURS', values.hours);
  set('MINUTES', values.minutes);
  set('SECONDS_RUN', values.seconds);
  set('CLIENTS', values.clients);
  set('TOPOLOGY', values.topology);
  set('RESHUFFLE', values.reshuffle);
  set('LEASE', values.lease);
  set('CHURN', values.churn);
  set('FAULTS', values.faults);
  set('SEED', values.seed);
  set('RIG_ID', values['rig-id']);
  set('RIG_TZ', values.tz);
  set('REPORTS', values.reports);
  set('MYSQL_SOCK', values['mysql-socket']);
  return env;
}

/** scripts/rig-soak.sh of this package (src/cli/commands or dist/cli/commands, three levels down). */
function scriptPath(): string {
  const path = fileURLToPath(new URL('../../../scripts/rig-soak.sh', import.meta.url));
  if (!existsSync(path))
    throw new AuditError(
      'GV_RIG_ENV',
      `rig: ${path} is missing: the rig runs from a checkout of gluff-verify`,
    );
  return path;
}

function runScript(args: string[], settings: Record<string, string>, io: CliIo): Promise<ExitCodeValue> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [scriptPath(), ...args], {
      env: { ...io.env, ...settings },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => io.stdout.write(chunk));
    child.stderr.on('data', (chunk: Buffer) => io.stderr.write(chunk));
    // Ctrl-C reaches the script through the terminal's process group; a SIGTERM to us is passed on.
    const onTerm = (): void => {
      child.kill('SIGTERM');
    };
    process.once('SIGTERM', onTerm);
    child.on('error', (err) => {
      process.removeListener('SIGTERM', onTerm);
      reject(new AuditError('GV_RIG_ENV', `rig: cannot run bash: ${err.message}`, { cause: err }));
    });
    child.on('close', (code, signal) => {
      process.removeListener('SIGTERM', onTerm);
      resolve((code ?? (signal === 'SIGINT' ? 130 : 143)) as ExitCodeValue);
    });
  });
}

async function run(argv: string[], io: CliIo): Promise<ExitCodeValue> {
  if (argv[0] === 'down') {
    const { values } = parseCommandArgs('rig', argv.slice(1), {
      'rig-id': { type: 'string' },
      force: { type: 'boolean', default: false },
      purge: { type: 'boolean', default: false },
      'mysql-socket': { type: 'string' },
    });
    const settings = rigSettings({ 'rig-id': values['rig-id'], 'mysql-socket': values['mysql-socket'] });
    const flags = [...(values.force ? ['--force'] : []), ...(values.purge ? ['--purge'] : [])];
    return runScript(['--down', ...flags], settings, io);
  }
  const { values } = parseCommandArgs('rig', argv, {
    dhcpd: { type: 'string' },
    gluff: { type: 'string' },
    stock: { type: 'boolean', default: false },
    hours: { type: 'string' },
    minutes: { type: 'string' },
    seconds: { type: 'string' },
    clients: { type: 'string' },
    topology: { type: 'string' },
    reshuffle: { type: 'string' },
    lease: { type: 'string' },
    churn: { type: 'string' },
    faults: { type: 'string' },
    seed: { type: 'string' },
    'rig-id': { type: 'string' },
    tz: { type: 'string' },
    reports: { type: 'string' },
    'mysql-socket': { type: 'string' },
  });
  const code = await runScript([], rigSettings(values), io);
  return code === 0 ? ExitCode.pass : code;
}

export const command: Command = {
  name: 'rig',
  summary: 'run the seed rig on this box (namespaces) with your dhcpd and gluff, and verify it',
  help: HELP,
  run,
};
