/**
 * Reads a rig spec file (YAML, or JSON which YAML 1.2 also reads) and validates it. The edge half of
 * src/spec: the checks themselves are in validate-rig-spec.ts.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { AuditError } from '../model/errors.js';
import type { RigSpec } from '../model/spec.js';
import { validateRigSpec } from './validate-rig-spec.js';

/**
 * Parses spec text. Throws GV_SPEC_UNREADABLE with the parser's line and column on a syntax error.
 * Duplicate keys are syntax errors too (the yaml package rejects them by default).
 */
export function parseRigSpecText(text: string, fileName: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      const where = pos === undefined ? '' : `line ${pos.line}, column ${pos.col}: `;
      return `  ${fileName}: ${where}${e.message.split('\n')[0]}`;
    });
    throw new AuditError('GV_SPEC_UNREADABLE', `${fileName}: not valid YAML/JSON\n${lines.join('\n')}`);
  }
  return doc.toJS({ maxAliasCount: 100 });
}

/** Reads, parses and validates a rig spec. Example: `loadRigSpec('specs/seed-rig.yaml').servers[0].host === 'dhcp1'`. */
export function loadRigSpec(path: string): RigSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new AuditError(
      'GV_SPEC_UNREADABLE',
      `${path}: cannot read the rig spec (${code}); expected a YAML or JSON file such as specs/seed-rig.yaml`,
      { cause: err },
    );
  }
  return validateRigSpec(parseRigSpecText(text, path), path);
}
