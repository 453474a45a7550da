import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { AuditError, ErrorCodes, ExitCode, InternalError } from '../../../src/model/errors.js';

const catalogue = readFileSync(new URL('../../../specs/errors.md', import.meta.url), 'utf8');
const catalogueCodes = [...catalogue.matchAll(/^## (\S+)\s*$/gm)].map((m) => m[1] ?? '');

describe('error catalogue (specs/errors.md)', () => {
  it('should have an entry for every exported code', () => {
    const missing = Object.keys(ErrorCodes).filter((code) => !catalogueCodes.includes(code));
    assert.deepEqual(missing, []);
  });

  it('should name only codes that exist', () => {
    const unknown = catalogueCodes.filter((code) => !(code in ErrorCodes));
    assert.deepEqual(unknown, []);
  });
});

describe('AuditError', () => {
  it('should map usage-class codes to exit 3 and keep the cause', () => {
    const cause = new Error('ECONNREFUSED');
    const err = new AuditError('GV_MYSQL_UNREACHABLE', 'cannot reach 127.0.0.1:1', { cause });
    assert.equal(err.exitCode, ExitCode.usage);
    assert.equal(err.code, 'GV_MYSQL_UNREACHABLE');
    assert.equal(err.cause, cause);
  });

  it('should map InternalError to exit 4', () => {
    assert.equal(new InternalError('impossible').exitCode, ExitCode.internal);
  });
});
