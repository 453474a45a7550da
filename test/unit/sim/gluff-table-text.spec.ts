import assert from 'node:assert/strict';
import { gluffTablesText } from '../../../src/sim/gluff-table-text.js';
import { actualLeasesFromTable } from '../../../src/sim/check-sim-output.js';

describe('gluffTablesText', () => {
  it('should intern values in first-use order and store options as dhcpd renders them', () => {
    // 2026-11-27T01:00:00Z is 02:00:00 in Stockholm.
    const t = Date.UTC(2026, 10, 27, 1) / 1000;
    const text = gluffTablesText(
      [
        {
          id: 1,
          ip: '10.1.0.50',
          lstart: t,
          lend: t + 600,
          hw: '00:0c:29:00:00:01',
          cid: '00:04:00:01:00:02',
          rid: null,
        },
        {
          id: 2,
          ip: '10.1.0.51',
          lstart: t,
          lend: t + 60,
          hw: '00:0c:29:00:00:02',
          cid: '70:6f:72:74:31',
          rid: null,
        },
        {
          id: 3,
          ip: '10.1.0.50',
          lstart: t + 600,
          lend: t + 900,
          hw: '00:0c:29:00:00:01',
          cid: '00:04:00:01:00:02',
          rid: null,
        },
      ],
      'Europe/Stockholm',
    );
    assert.deepEqual(text.lookups.ips, [
      { id: 1, value: '10.1.0.50' },
      { id: 2, value: '10.1.0.51' },
    ]);
    assert.deepEqual(text.lookups.cids, [
      { id: 1, value: '0:4:0:1:0:2' },
      { id: 2, value: '"port1"' },
    ]);
    assert.deepEqual(text.leases[0], {
      id: 1,
      ip: 1,
      hw: 1,
      cid: 1,
      rid: 0,
      lstart: '2026-11-27 02:00:00',
      lend: '2026-11-27 02:10:00',
    });
    assert.equal(text.leases[2]?.ip, 1);
  });
});

describe('actualLeasesFromTable', () => {
  it('should give back the row times and option bytes through the stored text', () => {
    const t = Date.UTC(2026, 10, 27, 1) / 1000;
    const [a] = actualLeasesFromTable(
      [
        {
          id: 9,
          ip: '10.1.0.50',
          lstart: t,
          lend: t + 600,
          hw: '00:0c:29:00:00:01',
          cid: '00:04:00:01:00:02',
          rid: null,
        },
      ],
      'Europe/Stockholm',
    );
    assert.equal(a?.startMs, t * 1000);
    assert.equal(a?.endMs, (t + 600) * 1000);
    assert.equal(a?.cidHex, '00:04:00:01:00:02');
    assert.equal(a?.cidText, '0:4:0:1:0:2');
    assert.equal(a?.remoteIdHex, null);
  });
});
