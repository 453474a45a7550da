import { strict as assert } from 'node:assert';
import type { LeaseTimelineData } from '../../../src/model/lease.js';
import { numberFindings } from '../../../src/report/lease-timeline.js';
import {
  CELL,
  OVERVIEW_GEOMETRY as O,
  overviewCells,
  overviewRange,
  renderOverview,
  type OverviewInput,
} from '../../../src/report/svg-overview.js';
import { actualLease, expectedLease, finding, result, T0 } from '../../helpers/fixtures.js';

const MIN = 60_000;
const IPS = ['10.1.0.50', '10.1.0.51', '10.1.0.52'];

// An hour in 10 cells of 6 minutes: .50 leased all hour and failed from 00:30 to 00:42; .51 leased in the
// first half, inconclusive (channel loss) from 00:12 to 00:30; .52 never leased.
const E50 = expectedLease({ ip: IPS[0], startMs: T0, endMs: T0 + 60 * MIN });
const E51 = expectedLease({
  ip: IPS[1],
  startMs: T0,
  endMs: T0 + 30 * MIN,
  inconclusive: 'collector lost 3 messages',
});
const E51A = expectedLease({ ip: IPS[1], startMs: T0, endMs: T0 + 11 * MIN });
const FAIL = finding({
  ip: IPS[0],
  expected: expectedLease({ ip: IPS[0], startMs: T0 + 30 * MIN, endMs: T0 + 42 * MIN }),
  actual: [actualLease({ ip: IPS[0], startMs: T0 + 30 * MIN, endMs: T0 + 40 * MIN })],
});
const WARN = finding({ ip: IPS[1], severity: 'warn', kind: 'port-disagreement' });
const GAP = finding({
  kind: 'channel-gap',
  severity: 'inconclusive',
  culprit: 'channel',
  ip: null,
  hw: null,
  expected: null,
  actual: [],
  details: { fromMs: T0 + 12 * MIN, toMs: T0 + 15 * MIN, source: 'collector' },
});

const DATA: LeaseTimelineData = {
  expected: [E50, E51A, { ...E51, startMs: T0 + 12 * MIN }],
  actual: [],
  releases: [],
  portMoves: [],
  queueFailures: [],
  restarts: [],
  losses: [
    {
      listener: 'udp://0.0.0.0:514',
      fromMs: T0 + 12 * MIN,
      toMs: T0 + 15 * MIN,
      kernelDrops: 3,
      appDrops: 0,
    },
  ],
  settleFromMs: T0 + 59 * MIN,
  ports: [],
};

function input(over: Partial<OverviewInput> = {}): OverviewInput {
  return {
    ips: IPS,
    data: DATA,
    numbered: numberFindings([FAIL, WARN, GAP]),
    anchorOfIp: new Map([[IPS[0]!, 'tl-1']]),
    range: { fromMs: T0, toMs: T0 + 60 * MIN },
    rigEvents: [],
    portGaps: [],
    asOfMs: T0 + 60 * MIN,
    ...over,
  };
}

function elements(svg: string, tag: string): Record<string, string>[] {
  return [...svg.matchAll(new RegExp(`<${tag}\\s([^>]*?)/?>`, 'g'))].map((m) =>
    Object.fromEntries([...m[1]!.matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!])),
  );
}

describe('overviewCells', () => {
  it('should give each cell the worst it saw: failed, inconclusive, leased, or nothing', () => {
    const cells = overviewCells(input(), 10);
    const { none: _, ok: o, inconclusive: i, fail: f } = CELL;
    assert.deepEqual([...cells.get(IPS[0]!)!], [o, o, o, o, o, f, f, o, o, o]);
    assert.deepEqual([...cells.get(IPS[1]!)!], [o, o, i, i, i, 0, 0, 0, 0, 0]);
    assert.deepEqual([...cells.get(IPS[2]!)!], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
});

describe('renderOverview', () => {
  it('should draw a row per address, runs of equal cells as one rect, counts in words', () => {
    const svg = renderOverview(input(), { columns: 10 });
    const cellW = (O.plotRight - O.plotLeft) / 10;
    const rects = elements(svg, 'rect').filter((r) => ['ok', 'unk', 'bad'].includes(r['class']!));
    assert.deepEqual(
      rects.map((r) => [
        r['class'],
        Number(r['y']),
        Math.round(Number(r['x'])),
        Math.round(Number(r['width'])),
      ]),
      [
        ['ok', O.top, O.plotLeft, Math.round(5 * cellW)],
        ['bad', O.top, Math.round(O.plotLeft + 5 * cellW), Math.round(2 * cellW)],
        ['ok', O.top, Math.round(O.plotLeft + 7 * cellW), Math.round(3 * cellW)],
        ['ok', O.top + O.row, O.plotLeft, Math.round(2 * cellW)],
        ['unk', O.top + O.row, Math.round(O.plotLeft + 2 * cellW), Math.round(3 * cellW)],
      ],
    );
    // A warning is not counted as a failure; a row without findings says ok.
    assert.deepEqual(
      [...svg.matchAll(new RegExp(`<text x="${O.plotRight + 6}" y="\\d+">([^<]*)</text>`, 'g'))].map(
        (m) => m[1],
      ),
      ['1 fail', 'ok', 'ok'],
    );
    // The address with a timeline links to it.
    assert.match(svg, /<a href="#tl-1"><text x="4" y="\d+">10\.1\.0\.50<\/text><\/a>/);
    assert.match(svg, /<text x="4" y="\d+">10\.1\.0\.51<\/text>/);
  });

  it('should hatch the channel loss and the unsettled end over every row, and mark findings about no address', () => {
    const svg = renderOverview(input(), { columns: 10 });
    const bands = elements(svg, 'rect').filter((r) => r['class'] === 'band');
    assert.equal(bands.length, 2);
    assert.match(svg, /<title>channel loss: 2026-11-28 01:12:00 to 2026-11-28 01:15:00 UTC<\/title>/);
    assert.match(svg, /<title>not settled: 2026-11-28 01:59:00 to 2026-11-28 02:00:00 UTC<\/title>/);
    // The channel-gap finding (#2; the warning is #3) is a numbered marker linked to its card.
    assert.match(
      svg,
      /<a href="#f2"><title>#2 INCONCLUSIVE channel-gap<\/title><circle class="mk-inconclusive"/,
    );
  });

  it('should give consecutive addresses one row each once there are more than maxRows', () => {
    const ips = Array.from({ length: 150 }, (_, i) => `10.2.${Math.floor(i / 100)}.${i % 100}`);
    const svg = renderOverview(input({ ips, anchorOfIp: new Map() }), { maxRows: 60 });
    const labels = [...svg.matchAll(/<text x="4" y="\d+">([^<]*)<\/text>/g)].map((m) => m[1]);
    assert.equal(labels.length, 50);
    assert.equal(labels[0], '10.2.0.0 – 10.2.0.2');
    assert.equal(labels[49], '10.2.1.47 – 10.2.1.49');
  });
});

describe('overviewRange', () => {
  it('should run from the window start, or the first row, to the last row, never past as-of', () => {
    const r = result({ window: { fromMs: null, toMs: null, asOfMs: T0 + 60 * MIN } });
    assert.deepEqual(overviewRange(r, DATA), { fromMs: T0, toMs: T0 + 60 * MIN });
    // As-of days after the last row: the overview ends with the rows.
    const late = result({ window: { fromMs: null, toMs: null, asOfMs: T0 + 90 * 24 * 60 * MIN } });
    assert.deepEqual(overviewRange(late, DATA), { fromMs: T0, toMs: T0 + 60 * MIN });
    const bounded = result({ window: { fromMs: T0 + 5 * MIN, toMs: T0 + 20 * MIN, asOfMs: T0 + 60 * MIN } });
    assert.deepEqual(overviewRange(bounded, DATA), { fromMs: T0 + 5 * MIN, toMs: T0 + 20 * MIN });
    assert.equal(overviewRange(r, { ...DATA, expected: [] }), null);
  });
});
