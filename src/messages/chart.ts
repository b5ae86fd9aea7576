import { CHART_ROUNDS, type ChartAction, type LeadChart, type TeamChart } from '../domain/chart.ts';
import { DIMENSIONS, type Dimension, QUESTIONS } from '../domain/dimensions.ts';
import { FLAG_RULES, type Severity } from '../domain/flags.ts';
import type { RoundRecord } from '../domain/health.ts';
import { formatMean } from '../domain/stats.ts';
import { clip } from './text.ts';

// Trend charts as SVG: pure functions of the chart models, so what a chart shows is tested on its text.
// messages/png.ts turns them into the PNG that is uploaded; alt texts and titles carry the same numbers.

/** The font the charts are drawn in; messages/png.ts bundles it, so a chart looks the same everywhere. */
export const CHART_FONT = 'Inter';

const COLOR = {
  ink: '#111827',
  muted: '#4b5563',
  faint: '#9ca3af',
  grid: '#e5e7eb',
  gap: '#d1d5db',
  gapFill: '#eceef1',
  lowZone: '#fdecec',
  line: '#1f2937',
  bar: '#64748b',
  barHidden: '#cbd5e1',
  critical: '#dc2626',
  warning: '#f59e0b',
  action: '#2563eb',
} as const;

const SEVERITY_COLOR: Record<Severity, string> = { critical: COLOR.critical, warning: COLOR.warning };

/** Slack refuses alt texts longer than this (files.getUploadURLExternal, `alt_txt_too_large`). */
export const MAX_ALT_TEXT = 1000;

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Coordinates to a tenth of a pixel: enough for the eye, short in the file. */
const px = (v: number): string => String(Math.round(v * 10) / 10);

interface TextStyle {
  size: number;
  weight?: 400 | 600;
  fill?: string;
  anchor?: 'start' | 'middle' | 'end';
}

const text = (x: number, y: number, s: string, t: TextStyle): string =>
  `<text x="${px(x)}" y="${px(y)}" font-size="${t.size}"${t.weight === 600 ? ' font-weight="600"' : ''}` +
  `${t.fill ? ` fill="${t.fill}"` : ''}${t.anchor && t.anchor !== 'start' ? ` text-anchor="${t.anchor}"` : ''}>${esc(s)}</text>`;

/** An SVG document and its size in SVG units. */
export interface ChartSvg {
  svg: string;
  width: number;
  height: number;
}

const svg = (width: number, height: number, body: string): ChartSvg => ({
  width,
  height,
  svg:
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="${CHART_FONT}" fill="${COLOR.ink}">` +
    `<rect width="${width}" height="${height}" fill="#ffffff"/>${body}</svg>`,
});

/** The worst flag a round raised on a dimension (null: participation); null when none. */
export const flagOn = (r: RoundRecord, dimension: Dimension | null): Severity | null =>
  // A record's flags are sorted worst first.
  r.flags.find((f) => f.dimension === dimension)?.severity ?? null;

/** The latest round a chart shows. */
const latestOf = (c: TeamChart): RoundRecord | undefined => c.rounds.at(-1);

// ---- the team chart ----------------------------------------------------------------------------------

// Rows share one axis of rounds, so a round reads straight down through the four dimensions and who
// answered. Few labels on purpose: each glyph costs the renderer more than any line or dot.
const TEAM = {
  width: 760,
  margin: 24,
  top: 92,
  label: 126,
  row: 84,
  rowGap: 10,
  strip: 64,
} as const;

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Where round `i` of `count` sits: the latest always at the right end, so every chart reads alike. */
const slotX = (plot: Box, i: number, count: number): number => {
  const step = plot.w / CHART_ROUNDS;
  return plot.x + step * (CHART_ROUNDS - count + i) + step / 2;
};

function legend(x: number, y: number, withActions: boolean): string {
  return [
    // Only a chart with an action explains its marker: the others keep their legend short.
    ...(withActions
      ? [
          `<path d="M${x + 585} ${y - 11}V${y + 3}" stroke="${COLOR.action}" stroke-width="1.5" stroke-dasharray="3 2"/>`,
          text(x + 591, y, 'action starts', { size: 12, fill: COLOR.muted }),
        ]
      : []),
    `<circle cx="${x + 5}" cy="${y - 4}" r="3.5" fill="${COLOR.line}"/>`,
    text(x + 14, y, 'round mean', { size: 12, fill: COLOR.muted }),
    `<circle cx="${x + 104}" cy="${y - 4}" r="5.5" fill="#ffffff" stroke="${COLOR.warning}" stroke-width="2.5"/>`,
    text(x + 115, y, 'flag', { size: 12, fill: COLOR.muted }),
    `<circle cx="${x + 160}" cy="${y - 4}" r="5.5" fill="#ffffff" stroke="${COLOR.critical}" stroke-width="2.5"/>`,
    text(x + 171, y, 'critical flag', { size: 12, fill: COLOR.muted }),
    `<rect x="${x + 252}" y="${y - 11}" width="14" height="14" fill="${COLOR.gapFill}"/>`,
    text(x + 272, y, 'too few answers to show', { size: 12, fill: COLOR.muted }),
    `<rect x="${x + 430}" y="${y - 11}" width="14" height="14" fill="${COLOR.lowZone}"/>`,
    text(x + 450, y, `low: ${formatMean(FLAG_RULES.lowMean)} or less`, { size: 12, fill: COLOR.muted }),
  ].join('');
}

function dimensionRow(c: TeamChart, dimension: Dimension, box: Box): string {
  const out: string[] = [];
  const rounds = c.rounds;
  const latest = latestOf(c);
  const latestMean = latest?.shown ? latest.means?.[dimension] : undefined;
  out.push(
    text(box.x, box.y + 20, QUESTIONS[dimension].label, { size: 14, weight: 600 }),
    text(box.x, box.y + 48, latestMean === undefined ? '–' : formatMean(latestMean), {
      size: 22,
      weight: 600,
      fill: latestMean !== undefined && latestMean <= FLAG_RULES.lowMean ? COLOR.critical : COLOR.ink,
    }),
  );
  const plot: Box = { x: box.x + TEAM.label, y: box.y + 6, w: box.w - TEAM.label, h: box.h - 12 };
  // The scale is fixed at 1–5 for every team and week, so charts compare at a glance.
  const y = (m: number): number => plot.y + plot.h - ((Math.min(5, Math.max(1, m)) - 1) / 4) * plot.h;
  out.push(
    `<rect x="${px(plot.x)}" y="${px(y(FLAG_RULES.lowMean))}" width="${px(plot.w)}" height="${px(y(1) - y(FLAG_RULES.lowMean))}" fill="${COLOR.lowZone}"/>`,
  );
  const step = plot.w / CHART_ROUNDS;
  rounds.forEach((r, i) => {
    if (r.shown) return;
    const x = slotX(plot, i, rounds.length) - step / 2;
    out.push(
      `<rect class="gap" data-round="${r.round}" x="${px(x + 0.5)}" y="${px(plot.y)}" width="${px(step - 1)}" height="${px(plot.h)}" fill="${COLOR.gapFill}"/>`,
    );
  });
  const grid = [1, 2, 3, 4, 5].map((v) => `M${px(plot.x)} ${px(y(v))}H${px(plot.x + plot.w)}`).join('');
  out.push(
    `<path d="${grid}" stroke="${COLOR.grid}" stroke-width="1"/>`,
    text(plot.x - 6, y(5) + 4, '5', { size: 10, fill: COLOR.faint, anchor: 'end' }),
    text(plot.x - 6, y(3) + 3.5, '3', { size: 10, fill: COLOR.faint, anchor: 'end' }),
    text(plot.x - 6, y(1) + 1, '1', { size: 10, fill: COLOR.faint, anchor: 'end' }),
  );
  // One line per run of shown rounds: a hidden round breaks the line instead of pulling it down.
  let run: string[] = [];
  const flush = () => {
    if (run.length > 1) {
      out.push(
        `<polyline class="trend" points="${run.join(' ')}" fill="none" stroke="${COLOR.line}" stroke-width="2" stroke-linejoin="round"/>`,
      );
    }
    run = [];
  };
  const points: string[] = [];
  rounds.forEach((r, i) => {
    const m = r.means?.[dimension];
    if (!r.shown || m === undefined) {
      flush();
      return;
    }
    const x = slotX(plot, i, rounds.length);
    run.push(`${px(x)},${px(y(m))}`);
    const flagged = flagOn(r, dimension);
    if (flagged) {
      points.push(
        `<circle class="flag-${flagged}" data-round="${r.round}" cx="${px(x)}" cy="${px(y(m))}" r="6.5" fill="#ffffff" stroke="${SEVERITY_COLOR[flagged]}" stroke-width="2.5"/>`,
      );
    }
    points.push(
      `<circle class="point" data-round="${r.round}" data-mean="${formatMean(m)}" cx="${px(x)}" cy="${px(y(m))}" r="3.5" fill="${flagged ? SEVERITY_COLOR[flagged] : COLOR.line}"/>`,
    );
  });
  flush();
  out.push(...points, ...actionMarkers(c, dimension, plot));
  return `<g class="dimension" data-dimension="${dimension}">${out.join('')}</g>`;
}

/** An action is marked on its dimension's row; one for the whole team on every row. */
const actionsOn = (c: TeamChart, dimension: Dimension): ChartAction[] =>
  c.actions.filter((a) => a.focus === dimension || a.focus === 'team');

/**
 * A dashed line at the round each action started, labelled "#N" at its top; actions that started in the
 * same round share one line and one label, so their numbers never overlap.
 */
function actionMarkers(c: TeamChart, dimension: Dimension, plot: Box): string[] {
  const byRound = new Map<number, ChartAction[]>();
  for (const a of actionsOn(c, dimension)) byRound.set(a.round, [...(byRound.get(a.round) ?? []), a]);
  const out: string[] = [];
  for (const [round, actions] of byRound) {
    const i = c.rounds.findIndex((r) => r.round === round);
    if (i < 0) continue;
    const x = slotX(plot, i, c.rounds.length);
    const numbers = actions.map((a) => a.number);
    out.push(
      `<path class="action" data-round="${round}" data-actions="${numbers.join(' ')}" d="M${px(x)} ${px(plot.y)}V${px(plot.y + plot.h)}" stroke="${COLOR.action}" stroke-width="1.5" stroke-dasharray="4 3"/>`,
      text(x + 3, plot.y + 9, numbers.map((n) => `#${n}`).join(' '), {
        size: 10,
        weight: 600,
        fill: COLOR.action,
      }),
    );
  }
  return out;
}

function participationRow(c: TeamChart, box: Box): string {
  const latest = latestOf(c);
  const out: string[] = [
    text(box.x, box.y + 20, 'Answered', { size: 14, weight: 600 }),
    text(box.x, box.y + 44, latest ? `${latest.responded} of ${latest.invited}` : '–', {
      size: 16,
      weight: 600,
    }),
  ];
  const plot: Box = { x: box.x + TEAM.label, y: box.y + 16, w: box.w - TEAM.label, h: box.h - 16 };
  const step = plot.w / CHART_ROUNDS;
  const barW = Math.min(24, step * 0.55);
  c.rounds.forEach((r, i) => {
    const x = slotX(plot, i, c.rounds.length);
    const rate = r.invited > 0 ? r.responded / r.invited : 0;
    const h = Math.max(1, rate * plot.h);
    const flagged = flagOn(r, null);
    const fill = flagged ? SEVERITY_COLOR[flagged] : r.shown ? COLOR.bar : COLOR.barHidden;
    out.push(
      `<rect class="answered" data-round="${r.round}" x="${px(x - barW / 2)}" y="${px(plot.y + plot.h - h)}" width="${px(barW)}" height="${px(h)}" fill="${fill}"/>`,
      text(x, plot.y + plot.h - h - 4, `${r.responded}/${r.invited}`, {
        size: 10,
        fill: COLOR.muted,
        anchor: 'middle',
      }),
      text(x, plot.y + plot.h + 16, String(r.round), {
        size: 11,
        weight: r === latest ? 600 : 400,
        fill: r === latest ? COLOR.ink : COLOR.muted,
        anchor: 'middle',
      }),
    );
  });
  out.push(text(plot.x - 6, plot.y + plot.h + 16, 'round', { size: 11, fill: COLOR.muted, anchor: 'end' }));
  return `<g class="participation">${out.join('')}</g>`;
}

/**
 * A team's trend: a row per dimension over the last CHART_ROUNDS rounds on a fixed 1–5 scale (a hidden
 * round is a shaded gap with no point and a break in the line), flagged rounds ringed in their
 * severity's colour, and below them how many answered each round.
 */
export function teamChartSvg(c: TeamChart): ChartSvg {
  const { width, margin, top, row, rowGap, strip } = TEAM;
  const latest = latestOf(c);
  const parts: string[] = [
    text(margin, 36, latest ? `${c.team} · round ${latest.round}` : c.team, { size: 20, weight: 600 }),
    legend(margin, 68, c.actions.length > 0),
  ];
  DIMENSIONS.forEach((d, i) => {
    parts.push(dimensionRow(c, d, { x: margin, y: top + i * (row + rowGap), w: width - 2 * margin, h: row }));
  });
  const stripY = top + DIMENSIONS.length * (row + rowGap);
  parts.push(participationRow(c, { x: margin, y: stripY, w: width - 2 * margin, h: strip }));
  return svg(width, stripY + strip + 22 + margin / 2, parts.join(''));
}

// ---- the lead chart ----------------------------------------------------------------------------------

const LEAD = {
  width: 860,
  margin: 24,
  top: 118,
  row: 16,
  cell: 10,
  cellGap: 1,
  stripGap: 14,
  nameWidth: 170,
} as const;

/**
 * The 1–5 scale in eight bands of half a point, red below 3 and blue above (ColorBrewer's RdBu, which
 * colour-blind readers tell apart too). Bands, not a blend: a blend of red and blue passes through a
 * muddy grey that reads as "no data".
 */
const SCALE = [
  '#b2182b',
  '#d6604d',
  '#f4a582',
  '#fddbc7',
  '#d1e5f0',
  '#92c5de',
  '#4393c3',
  '#2166ac',
] as const;

/** The colour of a mean on the fixed 1–5 scale: (1, 1.5] the darkest red … (4.5, 5] the darkest blue. */
export function scaleColor(mean: number): string {
  const band = Math.min(SCALE.length - 1, Math.max(0, Math.ceil((mean - 1) * 2 - 1e-9) - 1));
  return SCALE[band] as string;
}

/**
 * A lead's teams at a glance: a row per team, riskiest first; per dimension the last CHART_ROUNDS rounds
 * as cells coloured by their mean on the fixed 1–5 scale (a hidden round an empty cell, a flagged one
 * dotted), then how many answered the latest round.
 */
export function leadChartSvg(c: LeadChart): ChartSvg {
  const { width, margin, top, row, cell, cellGap, stripGap, nameWidth } = LEAD;
  const stripW = CHART_ROUNDS * (cell + cellGap);
  const stripX = (k: number) => margin + nameWidth + k * (stripW + stripGap);
  const parts: string[] = [
    text(margin, 34, `Your ${c.rows.length === 1 ? 'team' : `${c.rows.length} teams`}, riskiest first`, {
      size: 20,
      weight: 600,
    }),
    text(
      margin,
      58,
      `Each cell is one round’s mean, the last ${CHART_ROUNDS} rounds from left to right; a dot marks a flag.`,
      { size: 13, fill: COLOR.muted },
    ),
  ];
  // The scale, with the empty cell of a hidden round next to it.
  SCALE.forEach((color, i) => {
    parts.push(`<rect x="${margin + i * 18}" y="70" width="18" height="12" fill="${color}"/>`);
  });
  for (let v = 1; v <= 5; v++) {
    parts.push(text(margin + (v - 1) * 36, 95, String(v), { size: 11, fill: COLOR.muted, anchor: 'middle' }));
  }
  parts.push(
    `<rect x="${margin + 180}" y="70" width="12" height="12" fill="#ffffff" stroke="${COLOR.gap}"/>`,
    text(margin + 198, 80, 'too few answers to show', { size: 12, fill: COLOR.muted }),
    `<circle cx="${margin + 360}" cy="76" r="4" fill="${COLOR.critical}"/>`,
    text(margin + 368, 80, 'critical flag now', { size: 12, fill: COLOR.muted }),
    `<circle cx="${margin + 480}" cy="76" r="4" fill="${COLOR.warning}"/>`,
    text(margin + 488, 80, 'warning now', { size: 12, fill: COLOR.muted }),
  );
  DIMENSIONS.forEach((d, k) => {
    parts.push(
      text(stripX(k) + stripW / 2, top - 6, QUESTIONS[d].label, { size: 12, weight: 600, anchor: 'middle' }),
    );
  });
  parts.push(text(width - margin, top - 6, 'Answered', { size: 12, weight: 600, anchor: 'end' }));

  // Cells of one colour go into one path: a 200-team chart stays a few dozen shapes for the renderer.
  const byColor = new Map<string, string[]>();
  const gaps: string[] = [];
  const dots: string[] = [];
  c.rows.forEach((r, i) => {
    const y = top + i * row;
    const latest = latestOf(r.chart);
    if (r.worst)
      parts.push(`<circle cx="${margin + 4}" cy="${y + cell / 2}" r="4" fill="${SEVERITY_COLOR[r.worst]}"/>`);
    parts.push(text(margin + 14, y + cell - 0.5, clip(r.chart.team, 22), { size: 12 }));
    parts.push(
      text(width - margin, y + cell - 0.5, latest ? `${latest.responded}/${latest.invited}` : '–', {
        size: 12,
        fill: COLOR.muted,
        anchor: 'end',
      }),
    );
    const rounds = r.chart.rounds;
    DIMENSIONS.forEach((d, k) => {
      rounds.forEach((round, j) => {
        const x = stripX(k) + (CHART_ROUNDS - rounds.length + j) * (cell + cellGap);
        const m = round.means?.[d];
        if (!round.shown || m === undefined) {
          gaps.push(`M${px(x + 0.5)} ${px(y + 0.5)}h${cell - 1}v${cell - 1}h${1 - cell}z`);
          return;
        }
        const color = scaleColor(m);
        const cells = byColor.get(color) ?? [];
        cells.push(`M${px(x)} ${px(y)}h${cell}v${cell}h${-cell}z`);
        byColor.set(color, cells);
        if (flagOn(round, d))
          dots.push(`M${px(x + cell / 2 + 2)} ${px(y + cell / 2)}a2 2 0 1 0 -4 0a2 2 0 1 0 4 0z`);
      });
    });
  });
  for (const [color, cells] of byColor)
    parts.push(`<path class="cells" fill="${color}" d="${cells.join('')}"/>`);
  if (gaps.length > 0) {
    parts.push(
      `<path class="gaps" fill="#ffffff" stroke="${COLOR.gap}" stroke-width="1" d="${gaps.join('')}"/>`,
    );
  }
  if (dots.length > 0) {
    parts.push(
      `<path class="flags" fill="${COLOR.ink}" stroke="#ffffff" stroke-width="0.8" d="${dots.join('')}"/>`,
    );
  }
  return svg(width, top + Math.max(1, c.rows.length) * row + margin / 2, parts.join(''));
}

// ---- what the file is called, and what a screen reader says -------------------------------------------

const roundsSpan = (rounds: readonly RoundRecord[]): string => {
  const first = rounds[0]?.round;
  const last = rounds.at(-1)?.round;
  return first === last ? `round ${last}` : `rounds ${first} to ${last}`;
};

const meansText = (rounds: readonly RoundRecord[], d: Dimension): string =>
  rounds.map((r) => (r.shown && r.means ? formatMean(r.means[d]) : 'hidden')).join(', ');

/** Per dimension (and participation), the rounds it was flagged in, and in which of them critically. */
const flagsText = (rounds: readonly RoundRecord[]): string => {
  const parts = [...DIMENSIONS, null].flatMap((d) => {
    const flagged = rounds.filter((r) => flagOn(r, d) !== null);
    if (flagged.length === 0) return [];
    const critical = flagged.filter((r) => flagOn(r, d) === 'critical').map((r) => r.round);
    const name = d === null ? 'participation' : QUESTIONS[d].label.toLowerCase();
    const where = `${flagged.length === 1 ? 'round' : 'rounds'} ${flagged.map((r) => r.round).join(', ')}`;
    return [`${name} in ${where}${critical.length > 0 ? `, critical in ${critical.join(', ')}` : ''}`];
  });
  return parts.length === 0 ? 'No flags.' : `Flagged: ${parts.join('; ')}.`;
};

/** The actions marked on the chart: "Actions: action #2 on boundaries from round 8." */
const actionsText = (actions: readonly ChartAction[]): string => {
  if (actions.length === 0) return '';
  const each = actions.map(
    (a) =>
      `action #${a.number} ${a.focus === 'team' ? 'for the whole team' : `on ${QUESTIONS[a.focus].label.toLowerCase()}`} from round ${a.round}`,
  );
  return `Actions: ${each.join('; ')}.`;
};

/** The file's title: the team and the round. */
export const teamChartTitle = (c: TeamChart): string => {
  const latest = latestOf(c);
  return latest ? `${c.team} · round ${latest.round} · trend` : `${c.team} · trend`;
};

export const teamChartFilename = (c: TeamChart): string =>
  `teamhealth-${c.team}-round-${latestOf(c)?.round ?? 0}.png`;

/** What the chart shows, in words, for a screen reader: the team, the round and every number drawn. */
export function teamChartAltText(c: TeamChart): string {
  const latest = latestOf(c);
  if (!latest) return `Trend chart of ${c.team}: no closed round yet.`;
  const text = [
    `Trend chart of ${c.team}, round ${latest.round}: ${latest.responded} of ${latest.invited} answered.`,
    `Means on a 1 to 5 scale, ${roundsSpan(c.rounds)}${c.rounds.some((r) => !r.shown) ? ' (hidden: too few answered to show)' : ''}.`,
    ...DIMENSIONS.map((d) => `${QUESTIONS[d].label}: ${meansText(c.rounds, d)}.`),
    `Answered: ${c.rounds.map((r) => `${r.responded} of ${r.invited}`).join(', ')}.`,
    flagsText(c.rounds),
    actionsText(c.actions),
  ]
    .filter((t) => t !== '')
    .join(' ');
  return clip(text, MAX_ALT_TEXT);
}

export const leadChartTitle = (c: LeadChart): string =>
  `Your ${c.rows.length === 1 ? 'team' : `${c.rows.length} teams`}, riskiest first · last ${CHART_ROUNDS} rounds`;

export const leadChartFilename = (c: LeadChart): string => `teamhealth-digest-${c.rows.length}-teams.png`;

/** The lead chart in words: each team in order with its latest round, as far as Slack's limit allows. */
export function leadChartAltText(c: LeadChart): string {
  const head = `Chart of ${c.rows.length} team${c.rows.length === 1 ? '' : 's'}, riskiest first, the last ${CHART_ROUNDS} rounds each on a 1 to 5 scale.`;
  const teams = c.rows.map((r) => {
    const latest = latestOf(r.chart);
    if (!latest) return `${r.chart.team}: no closed round yet.`;
    const scores =
      latest.shown && latest.means
        ? DIMENSIONS.map(
            (d) =>
              `${QUESTIONS[d].label} ${formatMean((latest.means as NonNullable<RoundRecord['means']>)[d])}`,
          ).join(', ')
        : 'scores hidden';
    const flags = r.worst ? `, ${r.worst} flag` : '';
    return `${r.chart.team}, round ${latest.round}: ${latest.responded} of ${latest.invited} answered, ${scores}${flags}.`;
  });
  let out = head;
  for (const [i, t] of teams.entries()) {
    const more = ` And ${teams.length - i} more.`;
    if (out.length + 1 + t.length + (i < teams.length - 1 ? more.length : 0) > MAX_ALT_TEXT) {
      return `${out}${more}`;
    }
    out = `${out} ${t}`;
  }
  return out;
}
