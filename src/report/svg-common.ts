/**
 * What the HTML report's pictures share: coordinates as short numbers, a time axis in UTC, labels cut to
 * the room they have, and the page's one set of patterns. Pure; every text goes through escapeXml, and no
 * decision about markup depends on what a text says (only on times, counts and widths), so a hostile log
 * line can never add or remove an element.
 */
import { escapeXml } from './format-time.js';

/** A coordinate or length in whole pixels (the pictures are drawn 1:1): `12.5` -> `13`. */
export function num(n: number): string {
  const r = Math.round(n);
  return Object.is(r, -0) ? '0' : String(r);
}

/** Average advance of one character of the pictures' 11 px sans-serif labels (DejaVu/Liberation Sans). */
export const CHAR_PX = 6.2;

/**
 * `text` cut to what `widthPx` holds at CHAR_PX a character, with `…` when cut; '' when not even two
 * characters fit. Counts code points, so a cut never splits a surrogate pair. Example: ('Fa0/2 c1', 31) ->
 * 'Fa0/…'.
 */
export function fitText(text: string, widthPx: number): string {
  const room = Math.floor(widthPx / CHAR_PX);
  if (room < 2) return '';
  const chars = [...text];
  return chars.length <= room ? text : `${chars.slice(0, room - 1).join('')}…`;
}

/** Escaped text for an SVG `<text>` or `<title>`. */
export function svgText(text: string): string {
  return escapeXml(text);
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Tick steps a time axis may use, smallest first. */
const STEPS = [
  SECOND,
  2 * SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
];

/** One tick of a time axis. */
export interface TimeTick {
  ms: number;
  /** UTC: `16:05`, `16:05:30` for steps under a minute; `12-04` at midnight on a step of an hour or more. */
  label: string;
}

/**
 * Ticks on whole UTC steps between fromMs and toMs, at least `minGapPx` apart on an axis `widthPx` wide.
 * Example: 16:00..16:40 over 800 px, 80 px apart -> a tick every 5 minutes, `16:00`, `16:05`, ….
 */
export function timeTicks(fromMs: number, toMs: number, widthPx: number, minGapPx = 80): TimeTick[] {
  const span = toMs - fromMs;
  if (!(span > 0) || !(widthPx > 0)) return [];
  const step = STEPS.find((s) => (s / span) * widthPx >= minGapPx) ?? STEPS[STEPS.length - 1]!;
  const out: TimeTick[] = [];
  for (let t = Math.ceil(fromMs / step) * step; t <= toMs; t += step) {
    out.push({ ms: t, label: tickLabel(t, step) });
  }
  return out;
}

function tickLabel(ms: number, stepMs: number): string {
  const iso = new Date(ms).toISOString();
  if (stepMs >= HOUR && ms % DAY === 0) return iso.slice(5, 10);
  return stepMs < MINUTE ? iso.slice(11, 19) : iso.slice(11, 16);
}

/** `2026-12-04 16:05:30` (UTC, no zone letter: the captions say UTC once). */
export function clockText(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** `16:05:30` (UTC), for titles inside a picture whose date its caption gives. */
export function timeOfDay(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

/** A duration in words for titles: `45 s`, `12 min`, `3.5 h`. */
export function durationText(ms: number): string {
  if (ms < 2 * MINUTE) return `${Math.round(ms / SECOND)} s`;
  if (ms < 2 * HOUR) return `${Math.round(ms / MINUTE)} min`;
  return `${(ms / HOUR).toFixed(1)} h`;
}

/** How many fills the switch ports cycle through (colour and pattern together). */
export const PORT_FILLS = 8;

/**
 * The page's patterns, once, in an SVG of no size (a `display: none` SVG would hide its patterns from the
 * others). Each port fill pairs an Okabe-Ito colour (told apart with the common colour vision deficiencies)
 * with its own texture, so a greyscale print still tells the ports apart; the labels name them anyway.
 * `hatch` marks what cannot be judged (channel loss, not settled, an inconclusive row).
 */
export function patternDefs(): string {
  const colours = ['#56b4e9', '#e69f00', '#009e73', '#cc79a7', '#f0e442', '#0072b2', '#d55e00', '#999999'];
  // Textures over the colour: none, diagonal, dots, horizontal, cross, vertical, back-diagonal, grid.
  const textures = [
    '',
    '<path d="M0 8L8 0" stroke="#000" stroke-opacity=".45" stroke-width="1.5"/>',
    '<circle cx="4" cy="4" r="1.4" fill="#000" fill-opacity=".5"/>',
    '<path d="M0 4H8" stroke="#000" stroke-opacity=".45" stroke-width="1.5"/>',
    '<path d="M0 8L8 0M0 0L8 8" stroke="#000" stroke-opacity=".4"/>',
    '<path d="M4 0V8" stroke="#fff" stroke-opacity=".7" stroke-width="1.5"/>',
    '<path d="M0 0L8 8" stroke="#000" stroke-opacity=".45" stroke-width="1.5"/>',
    '<path d="M0 4H8M4 0V8" stroke="#fff" stroke-opacity=".8"/>',
  ];
  const ports = colours
    .map(
      (c, i) =>
        `<pattern id="gv-port${i}" width="8" height="8" patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="${c}"/>${textures[i]}</pattern>`,
    )
    .join('');
  return [
    '<svg class="gv-defs" xmlns="http://www.w3.org/2000/svg" width="0" height="0" aria-hidden="true"><defs>',
    ports,
    '<pattern id="gv-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#e4e4e4"/><path d="M0 0V6" stroke="#6e6e6e" stroke-width="2"/></pattern>',
    '<pattern id="gv-hatch-light" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><path d="M0 0V6" stroke="#6e6e6e" stroke-opacity=".55" stroke-width="1.5"/></pattern>',
    '</defs></svg>',
  ].join('');
}

/** The CSS of the pictures (SVG presentation by class, so each element carries little more than its place). */
export const SVG_STYLE = `
svg.gv { display: block; font: 11px system-ui, "DejaVu Sans", "Liberation Sans", sans-serif; margin: 0.3em 0; }
svg.gv text { fill: #1d1d1f; }
svg.gv .ax line { stroke: #d0d7de; } svg.gv .ax text { fill: #57606a; text-anchor: middle; } svg.gv .ax text.u { text-anchor: start; } svg.gv .ax text.yl { text-anchor: end; }
svg.gv .bl { text-anchor: middle; paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
svg.gv .lbl { fill: #1d1d1f; font-weight: 600; }
svg.gv .halo { paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; } svg.gv .end { text-anchor: end; }
svg.gv .frame { fill: none; stroke: #d0d7de; }
${Array.from({ length: PORT_FILLS }, (_, i) => `svg.gv .b${i} { fill: url(#gv-port${i}); }`).join(' ')}
svg.gv .bar { stroke: #1d1d1f; stroke-width: 0.8; }
svg.gv .bu { fill: #fff; stroke-dasharray: 3 2; }
svg.gv .inc { fill: url(#gv-hatch-light); stroke: none; }
svg.gv .band { fill: url(#gv-hatch); opacity: 0.75; } svg.gv .veil { fill: url(#gv-hatch-light); stroke: #6e6e6e; stroke-dasharray: 2 2; }
svg.gv .down { fill: url(#gv-hatch); }
svg.gv .ev { stroke-width: 1.2; } svg.gv .ev-rel { stroke: #1b7837; } svg.gv .ev-map { stroke: #2166ac; stroke-dasharray: 5 3; }
svg.gv .ev-rs { stroke: #762a83; stroke-dasharray: 1 2; stroke-width: 2; } svg.gv .ev-rig { stroke: #444; stroke-dasharray: 8 3 2 3; }
svg.gv .ev-q { stroke: #b2182b; stroke-dasharray: 2 2; } svg.gv .ev-asof { stroke: #1d1d1f; stroke-width: 1.5; }
svg.gv .mk-fail { fill: #b2182b; stroke: #000; } svg.gv .mk-inconclusive { fill: #fff; stroke: #444; stroke-width: 1.5; }
svg.gv .mk-warn { fill: #f1c232; stroke: #5c4600; }
svg.gv a text { fill: #0a3069; text-decoration: underline; }
svg.gv .ok { fill: #a6d96a; } svg.gv .bad { fill: #a50f15; } svg.gv .unk { fill: url(#gv-hatch); }
svg.gv .mem { fill: none; stroke: #0072b2; stroke-width: 1.3; } svg.gv .memdot { fill: #0072b2; }
svg.gv .warm { fill: #f0f0f0; } svg.gv .fit { stroke: #d55e00; stroke-width: 2; fill: none; }
svg.gv .ci { fill: #d55e00; fill-opacity: 0.18; stroke: none; } svg.gv .lim { stroke: #1d1d1f; stroke-dasharray: 6 4; fill: none; }
svg.gv .brk { stroke: #762a83; stroke-dasharray: 1 2; stroke-width: 2; }
`;
