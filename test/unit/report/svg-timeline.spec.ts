import { strict as assert } from 'node:assert';
import type { LeaseTimelineData } from '../../../src/model/lease.js';
import type { TimelineSubject } from '../../../src/report/lease-timeline.js';
import {
  GEOMETRY,
  placeEventLabels,
  portOf,
  renderTimelineFigure,
  renderTimelinePanel,
  stackLanes,
  type TimelineContext,
} from '../../../src/report/svg-timeline.js';
import { actualLease, expectedLease, finding, T0 } from '../../helpers/fixtures.js';

const S = 1000;
const FA02 = '00:04:00:01:00:02';
const FA03 = '00:04:00:01:00:03';
const RID = '00:06:00:0a:b8:00:00:01';
const MAC = '52:54:00:12:34:56';

const PORTS: LeaseTimelineData['ports'] = [
  { name: 'Fa0/2', circuitIdHex: FA02, remoteIdHex: RID },
  { name: 'Fa0/3', circuitIdHex: FA03, remoteIdHex: RID },
  { name: 'Fa0/4', circuitIdHex: '00:04:00:01:00:04', remoteIdHex: RID },
];

// The known case: a client on Fa0/2 from 01:01, moved to Fa0/3 at 01:05 (map seq=3), released at 01:09.
// Gluff merged both stints into row 7 and wrote a duplicate row 8 inside it (01:02-01:03).
const e1 = expectedLease({ startMs: T0 + 60 * S, endMs: T0 + 300 * S, cidHex: FA02, remoteIdHex: RID });
const e2 = expectedLease({
  startMs: T0 + 300 * S,
  endMs: T0 + 540 * S,
  cidHex: FA03,
  remoteIdHex: RID,
  endSource: 'release',
});
const a7 = actualLease({ id: 7, startMs: T0 + 60 * S, endMs: T0 + 540 * S, cidHex: FA02, remoteIdHex: RID });
const a8 = actualLease({ id: 8, startMs: T0 + 120 * S, endMs: T0 + 180 * S, cidHex: FA02, remoteIdHex: RID });
const merged = finding({
  kind: 'merged-lease',
  expected: e1,
  actual: [a7],
  details: {
    expectedRows: [
      { startMs: e1.startMs, endMs: e1.endMs },
      { startMs: e2.startMs, endMs: e2.endMs },
    ],
  },
  attribution: {
    rule: 'queue.insert-collision',
    how: 'witnessed',
    witness: [99],
    witnessLines: [],
    explanation: 'x',
  },
});
const overlap = finding({ kind: 'overlapping-rows', expected: null, actual: [a7, a8] });

const DATA: LeaseTimelineData = {
  expected: [e1, e2],
  actual: [a7, a8],
  releases: [
    { atMs: T0 + 540 * S, ip: '10.1.0.50', hw: MAC, host: 'dhcp1', found: true, rawId: 50 },
    // Another address's release: not on this timeline.
    { atMs: T0 + 200 * S, ip: '10.1.0.51', hw: '52:54:00:00:00:01', host: 'dhcp1', found: true, rawId: 51 },
  ],
  portMoves: [
    { atMs: T0 + 300 * S, seq: 3, rawId: 60, moved: [{ hw: MAC, fromPort: 'Fa0/2', toPort: 'Fa0/3' }] },
  ],
  queueFailures: [
    { atMs: T0 + 301 * S, host: 'dhcp2', line: 241, detail: 'SQL logic error', rawId: 99 },
    // Not a witness of this address's findings: left out.
    { atMs: T0 + 330 * S, host: 'dhcp2', line: 241, detail: 'SQL logic error', rawId: 100 },
  ],
  restarts: [
    {
      atMs: T0 + 400 * S,
      host: 'dhcp1',
      program: 'dhcpd',
      oldPid: 10,
      newPid: 11,
      lastSeenMs: T0 + 350 * S,
      rawId: 70,
    },
  ],
  losses: [
    { listener: 'udp://0.0.0.0:514', fromMs: T0 + 420 * S, toMs: T0 + 450 * S, kernelDrops: 3, appDrops: 0 },
  ],
  settleFromMs: null,
  ports: PORTS,
};

const CTX: TimelineContext = {
  data: DATA,
  rigEvents: [
    { atMs: T0 + 200 * S, host: 'gvrg-perm', name: 'gluff-stop', fields: { server: 'dhcp2' }, rawId: 80 },
    // About one client (a rig name, not a MAC): not on other clients' timelines.
    { atMs: T0 + 250 * S, host: 'gvrg-perm', name: 'client-release', fields: { client: 'c3' }, rawId: 81 },
  ],
  hasGluff: true,
  portGaps: [],
  asOfMs: T0 + 3_600 * S,
};

const SUBJECT: TimelineSubject = {
  anchor: 'tl-1',
  ip: '10.1.0.50',
  mac: MAC,
  inIpView: true,
  inMacView: true,
  findings: [
    { n: 1, finding: merged },
    { n: 2, finding: overlap },
  ],
  expected: [e1, e2],
  actual: [a7, a8],
  panels: [{ fromMs: T0, toMs: T0 + 600 * S }],
  worst: 'fail',
};

/** x of an instant in the known panel (10 minutes over the plot). */
function xAt(sec: number): number {
  return GEOMETRY.plotLeft + sec * ((GEOMETRY.plotRight - GEOMETRY.plotLeft) / 600);
}

/** Every element `<tag …>` with its attributes. */
function elements(svg: string, tag: string): Record<string, string>[] {
  return [...svg.matchAll(new RegExp(`<${tag}\\s([^>]*?)/?>`, 'g'))].map((m) =>
    Object.fromEntries([...m[1]!.matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!])),
  );
}

describe('renderTimelinePanel', () => {
  const svg = renderTimelinePanel(SUBJECT, SUBJECT.panels[0]!, CTX);
  const bars = elements(svg, 'rect').filter((r) => r['class']?.startsWith('bar '));
  const labels = [...svg.matchAll(/<text class="bl" x="(\d+)" y="(\d+)">([^<]*)<\/text>/g)].map((m) => ({
    x: Number(m[1]),
    y: Number(m[2]),
    text: m[3],
  }));
  const laneLabels = [...svg.matchAll(/<text class="lbl" x="4" y="(\d+)">([^<]*)<\/text>/g)].map((m) => m[2]);

  it('should draw a rebuilt lane and the Gluff rows, the overlapping row stacked on a lane of its own', () => {
    assert.deepEqual(laneLabels, ['rebuilt', 'Gluff', '+ at once']);
    assert.equal(bars.length, 4);
    // Two event rows above the lanes (the map and the queue failure one second apart need two).
    const top = 4 + 2 * GEOMETRY.eventRow + 4;
    const ys = bars.map((b) => Number(b['y']));
    assert.deepEqual(ys, [top, top, top + GEOMETRY.lane, top + 2 * GEOMETRY.lane]);
  });

  it('should place and size each bar by its times and fill it by its port', () => {
    const expect = [
      { from: 60, to: 300, fill: 'b0' },
      { from: 300, to: 540, fill: 'b1' },
      { from: 60, to: 540, fill: 'b0' },
      { from: 120, to: 180, fill: 'b0' },
    ];
    bars.forEach((b, i) => {
      const e = expect[i]!;
      assert.equal(b['class'], `bar ${e.fill}`);
      assert.ok(Math.abs(Number(b['x']) - xAt(e.from)) <= 0.5, `bar ${i} x ${b['x']}`);
      assert.ok(
        Math.abs(Number(b['width']) - (xAt(e.to) - xAt(e.from))) <= 1,
        `bar ${i} width ${b['width']}`,
      );
    });
    // Literally: row 7 from 01:01 to 01:09 is 206..865 (824 px for 10 minutes).
    assert.deepEqual([bars[2]!['x'], bars[2]!['width']], ['206', '659']);
  });

  it("should label every bar with the spec's port name, centred on it", () => {
    assert.deepEqual(
      labels.map((l) => l.text),
      ['Fa0/2', 'Fa0/3', 'Fa0/2', 'Fa0/2'],
    );
    assert.ok(Math.abs(labels[1]!.x - (xAt(300) + xAt(540)) / 2) <= 1);
    assert.doesNotMatch(svg, /00:04:00:01/);
  });

  it('should put each finding as a numbered marker on its row, linked to its card', () => {
    const markers = [
      ...svg.matchAll(
        /<a href="#f(\d+)"><title>([^<]*)<\/title><path class="mk-fail" d="M(\d+) (\d+)L\d+ (\d+)/g,
      ),
    ].map((m) => ({ n: Number(m[1]), title: m[2], x: Number(m[3]), y: Number(m[5]) }));
    const gluffLaneMid = 4 + 2 * GEOMETRY.eventRow + 4 + GEOMETRY.lane + GEOMETRY.bar / 2;
    assert.deepEqual(
      markers.map((m) => [m.n, m.title]),
      [
        [2, '#2 FAIL overlapping-rows'],
        [1, '#1 FAIL merged-lease'],
      ],
    );
    // Overlap at row 7's start; the merge at the boundary Gluff ignored (01:05), both on row 7's lane.
    assert.equal(markers[0]!.x, Math.round(xAt(60)));
    assert.equal(markers[1]!.x, Math.round(xAt(300)));
    for (const m of markers) assert.equal(m.y, Math.round(gluffLaneMid));
  });

  it("should mark the address's release, its move, restarts, rig faults and the failed inserts behind its findings", () => {
    const lines = elements(svg, 'line').filter((l) => l['class']?.startsWith('ev '));
    assert.deepEqual(
      lines.map((l) => [l['class'], Number(l['x1'])]),
      [
        ['ev ev-rig', Math.round(xAt(200))],
        ['ev ev-map', Math.round(xAt(300))],
        ['ev ev-q', Math.round(xAt(301))],
        ['ev ev-rs', Math.round(xAt(400))],
        ['ev ev-rel', Math.round(xAt(540))],
      ],
    );
    // A label is cut to the room before the next on its row; its tooltip keeps the whole line.
    assert.match(svg, />rig: gluff-stop serv…<\/text>/);
    assert.match(svg, /<title>01:03:20 gvrg-perm: gluff-stop server=dhcp2<\/title>/);
    for (const label of ['map seq=3 Fa0/2→Fa0/3', 'queue insert failed', 'dhcpd@dhcp1 restart', 'release'])
      assert.ok(svg.includes(`>${label}</text>`), label);
    // The restart's silent stretch runs from the old pid's last line to the new one's first.
    const down = elements(svg, 'rect').find((r) => r['class'] === 'down')!;
    assert.equal(Number(down['x']), Math.round(xAt(350)));
    assert.ok(Math.abs(Number(down['width']) - (xAt(400) - xAt(350))) <= 1);
  });

  it('should hatch where the channel lost messages, over the lanes', () => {
    const veils = elements(svg, 'rect').filter((r) => r['class'] === 'veil');
    assert.equal(veils.length, 1);
    assert.equal(Number(veils[0]!['x']), Math.round(xAt(420)));
    assert.match(svg, /<title>channel loss: 3 lost on udp:\/\/0\.0\.0\.0:514<\/title>/);
  });

  it('should draw no Gluff lane without a Gluff table (verify --gluff none)', () => {
    const none = renderTimelinePanel({ ...SUBJECT, actual: [] }, SUBJECT.panels[0]!, {
      ...CTX,
      hasGluff: false,
    });
    assert.deepEqual(
      [...none.matchAll(/<text class="lbl" x="4" y="\d+">([^<]*)<\/text>/g)].map((m) => m[1]),
      ['rebuilt'],
    );
  });

  it('should keep the rows outside the panel out, and clip the ones crossing its edge', () => {
    const late = renderTimelinePanel(SUBJECT, { fromMs: T0 + 240 * S, toMs: T0 + 840 * S }, CTX);
    const lateBars = elements(late, 'rect').filter((r) => r['class']?.startsWith('bar '));
    // e1 crosses the left edge, e2 and a7 are inside or crossing, a8 (01:02-01:03) is outside.
    assert.equal(lateBars.length, 3);
    assert.equal(lateBars[0]!['x'], String(GEOMETRY.plotLeft));
  });
});

describe('renderTimelineFigure', () => {
  it('should caption the figure with its address, MAC and links to its findings, then draw each panel', () => {
    const html = renderTimelineFigure({ ...SUBJECT, panels: [SUBJECT.panels[0]!, SUBJECT.panels[0]!] }, CTX);
    assert.match(html, /^<figure id="tl-1" class="tl fail in-ip in-mac">/);
    assert.match(
      html,
      /<figcaption><b>10\.1\.0\.50 · 52:54:00:12:34:56<\/b> — merged-lease <a href="#f1">#1<\/a>; overlapping-rows <a href="#f2">#2<\/a><\/figcaption>/,
    );
    assert.equal(html.match(/<svg /g)!.length, 2);
  });

  it("should give a MAC's figure a lane group per address it held", () => {
    const other = actualLease({ id: 9, ip: '10.1.0.77', startMs: T0 + 560 * S, endMs: T0 + 590 * S });
    const html = renderTimelineFigure(
      { ...SUBJECT, ip: null, inIpView: false, actual: [a7, a8, other], anchor: 'tl-2' },
      CTX,
    );
    assert.match(html, /class="tl fail in-mac"/);
    // The caption names the addresses the MAC held.
    assert.match(html, /<figcaption><b>52:54:00:12:34:56<\/b> \(10\.1\.0\.50, 10\.1\.0\.77\) — /);
    assert.match(html, />10\.1\.0\.50 rebuilt</);
    assert.match(html, />10\.1\.0\.77 Gluff</);
  });
});

describe('stackLanes', () => {
  it('should put rows alive at once on separate lanes and reuse a lane once it is free', () => {
    const rows: [number, number][] = [
      [0, 10],
      [5, 8],
      [8, 12],
      [10, 20],
      [10, 20],
    ];
    assert.deepEqual(
      stackLanes(rows, (r) => r),
      [0, 1, 1, 0, 2],
    );
  });
});

describe('placeEventLabels', () => {
  it('should give close labels separate rows, cut each to the room before the next on its row', () => {
    const placed = placeEventLabels([200, 210, 300, 400, 405, 406]);
    assert.deepEqual(
      placed.map((p) => p.row),
      [0, 1, 0, 0, 1, 2],
    );
    assert.equal(placed[0]!.roomPx, 300 - 200 - 6);
    // A fourth label at the same place has no row: its line and tooltip stay.
    assert.equal(placeEventLabels([500, 500, 500, 500])[3]!.row, -1);
    // Near the right edge a label ends at its line.
    assert.equal(placeEventLabels([GEOMETRY.plotRight - 5])[0]!.toLeft, true);
  });
});

describe('portOf', () => {
  it("should name a circuit-id by the spec's port and give it that port's fill", () => {
    assert.deepEqual(portOf(PORTS, FA03, RID), { name: 'Fa0/3', fill: 1 });
    assert.equal(portOf(PORTS, FA03, null), null);
    assert.equal(portOf(PORTS, null, null), null);
  });
});
