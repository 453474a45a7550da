/** The seed rig of specs/seed-rig.yaml, loaded once for the simulator tests. */
import { loadRigSpec } from '../../../src/spec/load-rig-spec.js';
import type { RigSpec } from '../../../src/model/index.js';

let cached: RigSpec | null = null;

export function seedRigSpec(): RigSpec {
  cached ??= loadRigSpec('specs/seed-rig.yaml');
  return cached;
}
