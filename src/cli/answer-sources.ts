/**
 * What `where` and `who` share at the edge: which sources they read (an event store, a Gluff table, or
 * one of them alone), the lookup over them, and the render context (the rig's zone, the raw lines).
 */
import { AuditError } from '../model/errors.js';
import type { ActualLease } from '../model/lease.js';
import type { RigSpec } from '../model/spec.js';
import type { GluffRowFilter } from '../parse/gluff-row.js';
import type { AnswerRenderContext } from '../report/where-report.js';
import { EventStore } from '../sources/sqlite/event-store.js';
import { AddressLookup } from './address-lookup.js';
import { localTimeText, type CliIo } from './command.js';
import { resolveGluffSource, type GluffSource } from './gluff-source.js';

/** The help lines for the sources of `where` and `who`. */
export const ANSWER_SOURCES_HELP = [
  '  --store DB            event store written by collect or ingest (schema 5: an older one needs one run of',
  '                        ingest, reparse or collect first, which adds the lookup index)',
  '  --spec SPEC           rig spec (YAML or JSON): zones, ports, lease times, tolerances',
  '  --gluff LOCATION      mysql://USER@HOST[:PORT]/DB[?socket=PATH] or sqlite:FILE.db (a snapshot); `none`: the',
  '                        event store alone. Without --gluff: GLUFF_DBHOST/GLUFF_DBUSER/GLUFF_DBDB when set',
  '                        (password GLUFF_DBPWD, MYSQL_PWD or an option file), else the event store alone',
  '  --defaults-file FILE  MySQL option file ([client] user/password/host/port/socket); default ~/.my.cnf',
  '  --as-of T             the instant to answer for (default now): later lines and rows are not read',
  '  --json                print the answer as JSON on stdout',
].join('\n');

/** The help lines on times. */
export const TIME_HELP = [
  "Times: ISO 8601 with a zone (2026-11-28T02:55:00Z), without one (2026-11-28T03:55, '2026-11-28 03:55:00':",
  "the rig's zone, the spec's gluffZone, as Gluff's table shows it; the answer says so), or epoch seconds",
  '(1795834500; 12 digits or more: milliseconds). Answers give every instant in UTC and in the rig zone.',
].join('\n');

/** The event store and Gluff table a `where` or `who` reads, and the lookup over them. */
export interface AnswerSources {
  store: EventStore | null;
  gluff: GluffSource | null;
  lookup: AddressLookup;
  close(): void;
}

/**
 * Opens what the options name. `--gluff none`, or no --gluff and no GLUFF_DB* settings: no Gluff table;
 * no --store: no event store. Neither: GV_USAGE.
 */
export function openAnswerSources(
  commandName: string,
  values: { store?: string | undefined; gluff?: string | undefined; 'defaults-file'?: string | undefined },
  spec: RigSpec,
  asOfMs: number,
  io: CliIo,
): AnswerSources {
  const fromEnv = ['GLUFF_DBHOST', 'GLUFF_DBUSER', 'GLUFF_DBDB'].some((k) => (io.env[k] ?? '') !== '');
  const gluff =
    values.gluff === 'none' || (values.gluff === undefined && !fromEnv)
      ? null
      : resolveGluffSource(values.gluff, {
          env: io.env,
          ...(values['defaults-file'] === undefined ? {} : { defaultsFile: values['defaults-file'] }),
        });
  if (gluff === null && values.store === undefined) {
    throw new AuditError(
      'GV_USAGE',
      `${commandName}: nothing to answer from; expected --store DB, --gluff LOCATION (or GLUFF_DB* settings), or both; see 'gluff-verify ${commandName} --help'`,
    );
  }
  const store = values.store === undefined ? null : EventStore.open(values.store, { readonly: true });
  const zone = spec.tolerances.gluffZone;
  const read =
    gluff === null
      ? null
      : async (filter: GluffRowFilter): Promise<ActualLease[]> => {
          const rows: ActualLease[] = [];
          for await (const a of gluff.readLeases(zone, undefined, filter)) rows.push(a);
          return rows;
        };
  try {
    const lookup = new AddressLookup({ store, gluffRows: read, spec, asOfMs });
    return { store, gluff, lookup, close: () => store?.close() };
  } catch (err) {
    store?.close();
    throw err;
  }
}

/** The render context of an answer: the rig's zone, the sources' names, the raw lines of `ids`. */
export function renderContext(
  sources: AnswerSources,
  spec: RigSpec,
  asOfMs: number,
  ids: readonly number[],
): AnswerRenderContext {
  const zone = spec.tolerances.gluffZone;
  return {
    spec,
    zone,
    localTime: (ms) => localTimeText(ms, zone),
    asOfMs,
    storeText: sources.store?.path ?? null,
    gluffText: sources.gluff?.describe() ?? null,
    lines: new Map(sources.lookup.evidenceLines(ids).map((l) => [l.rawId, l.text])),
  };
}
