/**
 * A small seeded pseudo-random generator for the simulator (sfc32 seeded through splitmix32), so a
 * run is a pure function of its seed. Not for anything security related.
 */

/** Seeded random source; every method advances the same stream. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Uniform number in [lo, hi). */
  between(lo: number, hi: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** Exponentially distributed with the given mean. */
  exp(mean: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[];
  /** An independent stream derived from the seed and a label; does not advance this stream. */
  fork(label: string): Rng;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Creates the generator for `seed` (any integer; only its low 32 bits matter). */
export function createRng(seed: number): Rng {
  const init = splitmix32(seed | 0);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const raw = (): number => {
    // sfc32: a small fast counter generator, good enough for a simulation.
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) raw();
  const rng: Rng = {
    next: () => raw() / 4_294_967_296,
    int: (n) => Math.floor((raw() / 4_294_967_296) * n),
    between: (lo, hi) => lo + (raw() / 4_294_967_296) * (hi - lo),
    chance: (p) => raw() / 4_294_967_296 < p,
    exp: (mean) => -Math.log(1 - raw() / 4_294_967_296) * mean,
    pick: <T>(items: readonly T[]): T => items[Math.floor((raw() / 4_294_967_296) * items.length)] as T,
    shuffle: <T>(items: readonly T[]): T[] => {
      const out = items.slice();
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor((raw() / 4_294_967_296) * (i + 1));
        const tmp = out[i] as T;
        out[i] = out[j] as T;
        out[j] = tmp;
      }
      return out;
    },
    fork: (label) => createRng((Math.imul(seed | 0, 0x9e3779b1) ^ hashLabel(label)) | 0),
  };
  return rng;
}
