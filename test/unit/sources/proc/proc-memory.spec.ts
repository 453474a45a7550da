import { strict as assert } from 'node:assert';
import { findPidsByName, parseProcStatus, readProcMemory } from '../../../../src/sources/proc/proc-memory.js';

// Trimmed from a real /proc/PID/status of dhcpd on Debian 12.
const STATUS = `Name:\tdhcpd
Umask:\t0022
State:\tS (sleeping)
Pid:\t812
VmPeak:\t   10316 kB
VmSize:\t   10252 kB
VmRSS:\t    9112 kB
VmData:\t    2884 kB
Threads:\t1
`;

describe('parseProcStatus', () => {
  it('should read VmRSS and VmData in bytes', () => {
    assert.deepEqual(parseProcStatus(812, STATUS), {
      pid: 812,
      name: 'dhcpd',
      rssBytes: 9112 * 1024,
      dataBytes: 2884 * 1024,
    });
  });

  it('should return null for a kernel thread without Vm lines', () => {
    assert.equal(parseProcStatus(2, 'Name:\tkthreadd\nState:\tS (sleeping)\n'), null);
  });
});

describe('readProcMemory', () => {
  it('should read this very process and find it by name from another process', () => {
    const self = readProcMemory(process.pid);
    assert.ok(self !== null && self.rssBytes > 1024 * 1024);
    assert.equal(readProcMemory(2 ** 22 + 7), null);
    // findPidsByName skips the caller itself, so ask for PID 1's name and expect PID 1.
    const init = readProcMemory(1);
    assert.ok(init !== null, 'PID 1 is a user process with memory figures');
    assert.ok(findPidsByName(init.name).includes(1));
  });
});
