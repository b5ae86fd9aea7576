import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/domain/actions.ts';
import { CHART_ROUNDS, leadChart, teamChart } from '../../src/domain/chart.ts';
import { buildDigest } from '../../src/domain/digest.ts';
import { DIMENSIONS } from '../../src/domain/dimensions.ts';
import { assessTeam } from '../../src/domain/health.ts';
import type { RoundTally } from '../../src/domain/tally.ts';
import {
  type ChartSvg,
  leadChartAltText,
  leadChartSvg,
  MAX_ALT_TEXT,
  scaleColor,
  teamChartAltText,
  teamChartSvg,
  teamChartTitle,
} from '../../src/messages/chart.ts';
import { chartScale, PNG_SIGNATURE, svgToPng } from '../../src/messages/png.ts';
import { tally } from '../support/history.ts';

const STEADY = [4, 4, 3, 4, 5, 4];
/** Four answers: below the threshold of five, so the round is hidden. */
const HIDDEN = [1, 1, 1, 1];

/** Fourteen rounds: 6 and 10 hidden, energy falling hard in the last. */
const history: RoundTally[] = Array.from({ length: 14 }, (_, i) => {
  const n = i + 1;
  if (n === 6 || n === 10) return tally(n, HIDDEN, { invited: 6 });
  if (n === 14) return tally(n, { energy: [2, 2, 1, 2, 2, 2] }, { rest: STEADY });
  return tally(n, STEADY);
});

/** Every element of a kind, with its attributes. */
const elements = (svg: string, tag: string): Array<Record<string, string>> =>
  [...svg.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, 'g'))].map((m) =>
    Object.fromEntries([...(m[1] ?? '').matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])),
  );

/** The part of the team chart that draws one dimension. */
const dimensionGroup = (svg: string, d: string): string =>
  new RegExp(`<g class="dimension" data-dimension="${d}">(.*?)</g>`).exec(svg)?.[1] ?? '';

describe('the team chart', () => {
  const chart = teamChart('platform-api', history);
  const { svg } = teamChartSvg(chart);

  it('shows the last twelve rounds, with how many answered each, hidden rounds included', () => {
    expect(chart.rounds.map((r) => r.round)).toEqual(Array.from({ length: 12 }, (_, i) => i + 3));
    const bars = elements(svg, 'rect').filter((r) => r.class === 'answered');
    expect(bars.map((b) => Number(b['data-round']))).toEqual(chart.rounds.map((r) => r.round));
    expect(svg).toContain('>4/6</text>');
    expect(svg).toContain('platform-api · round 14');
  });

  it('draws hidden rounds as gaps in every dimension: no point, a break in the line, never a zero', () => {
    for (const d of DIMENSIONS) {
      const group = dimensionGroup(svg, d);
      const points = elements(group, 'circle').filter((c) => c.class === 'point');
      expect(points.map((p) => Number(p['data-round']))).toEqual([3, 4, 5, 7, 8, 9, 11, 12, 13, 14]);
      const gaps = elements(group, 'rect').filter((r) => r.class === 'gap');
      expect(gaps.map((g) => Number(g['data-round']))).toEqual([6, 10]);
      // Three runs of shown rounds (3–5, 7–9, 11–14): three lines, none bridging a gap.
      const lines = elements(group, 'polyline').map((p) => (p.points ?? '').split(' ').length);
      expect(lines).toEqual([3, 3, 4]);
    }
  });

  it('puts a mean at the same height whatever the team’s other rounds: the 1–5 axis is fixed', () => {
    const cy = (rounds: RoundTally[], d: string, round: number): number => {
      const group = dimensionGroup(teamChartSvg(teamChart('t', rounds)).svg, d);
      const point = elements(group, 'circle').find(
        (c) => c.class === 'point' && c['data-round'] === `${round}`,
      );
      return Number(point?.cy);
    };
    const fours = [4, 4, 4, 4, 4];
    const low = [tally(1, [1, 1, 1, 1, 1]), tally(2, fours)];
    const high = [tally(1, [5, 5, 5, 5, 5]), tally(2, fours)];
    expect(cy(low, 'energy', 2)).toBe(cy(high, 'energy', 2));
    // Higher means sit higher (smaller y), evenly: 1 → 4 is three times 4 → 5.
    const one = cy(low, 'energy', 1);
    const four = cy(low, 'energy', 2);
    const five = cy(high, 'energy', 1);
    expect(one).toBeGreaterThan(four);
    expect(four).toBeGreaterThan(five);
    expect(one - four).toBeCloseTo(3 * (four - five), 0);
  });

  it('rings the rounds that raised a flag, in the colour of their severity', () => {
    const flagged = chart.rounds.at(-1)?.flags.filter((f) => f.dimension === 'energy') ?? [];
    expect(flagged.length).toBeGreaterThan(0);
    const rings = elements(dimensionGroup(svg, 'energy'), 'circle').filter((c) =>
      c.class?.startsWith('flag-'),
    );
    expect(rings).toEqual([
      expect.objectContaining({ 'data-round': '14', class: `flag-${flagged[0]?.severity}` }),
    ]);
    expect(
      elements(dimensionGroup(svg, 'ownership'), 'circle').some((c) => c.class?.startsWith('flag-')),
    ).toBe(false);
  });

  it('says what it shows in its alt text: team, round, every mean, hidden rounds as hidden', () => {
    const alt = teamChartAltText(chart);
    expect(alt).toContain('Trend chart of platform-api, round 14: 6 of 6 answered.');
    expect(alt).toContain('rounds 3 to 14');
    expect(alt).toContain('Energy: 4.0, 4.0, 4.0, hidden, 4.0, 4.0, 4.0, hidden, 4.0, 4.0, 4.0, 1.8.');
    expect(alt).toContain('Answered: 6 of 6, 6 of 6, 6 of 6, 4 of 6,');
    expect(alt).toContain('Flagged: energy in round 14, critical in 14; participation in rounds 6, 10.');
    expect(teamChartTitle(chart)).toBe('platform-api · round 14 · trend');
  });

  it('keeps the alt text within Slack’s 1000 characters', () => {
    const flaggy = Array.from({ length: 30 }, (_, i) =>
      tally(i + 1, i % 2 === 0 ? [1, 1, 1, 5, 5, 5] : [5, 5, 5, 5, 5, 5], { invited: 20 }),
    );
    const alt = teamChartAltText(teamChart('a-team-with-a-rather-long-name-here', flaggy));
    expect(alt.length).toBeLessThanOrEqual(MAX_ALT_TEXT);
    expect(alt).toMatch(/^Trend chart of a-team-with-a-rather-long-name-here, round 30:/);
  });

  it('never quotes a score of a round below the threshold, in the picture or in words', () => {
    const tiny = Array.from({ length: 5 }, (_, i) => tally(i + 1, [1, 1, 1, 1], { invited: 4 }));
    const c = teamChart('tiny', tiny);
    const { svg: picture } = teamChartSvg(c);
    expect(elements(picture, 'circle').filter((e) => e.class === 'point')).toEqual([]);
    expect(picture).not.toMatch(/>\d\.\d</);
    expect(teamChartAltText(c)).not.toMatch(/\d\.\d/);
  });
});

describe('action markers on the team chart', () => {
  const actions: Action[] = [
    { number: 1, focus: 'energy', text: 'older than the chart', round: 2, status: 'done' },
    { number: 2, focus: 'boundaries', text: 'no meetings on Fridays', round: 8, status: 'open' },
    { number: 3, focus: 'team', text: 'a retro every round', round: 11, status: 'dropped' },
    { number: 4, focus: 'recognition', text: 'shout-outs', round: 11, status: 'open' },
    { number: 5, focus: 'energy', text: 'started after this round', round: 15, status: 'open' },
  ];
  const chart = teamChart('platform-api', history, actions);
  const { svg } = teamChartSvg(chart);
  const markers = (d: string) => elements(dimensionGroup(svg, d), 'path').filter((p) => p.class === 'action');
  /** The x of a round on a row: where its point is drawn. */
  const xOfPoint = (d: string, round: number): string | undefined =>
    elements(dimensionGroup(svg, d), 'circle').find(
      (c) => c.class === 'point' && c['data-round'] === `${round}`,
    )?.cx;

  it('keeps the actions, in any status, that started in one of the chart’s rounds', () => {
    expect(chart.actions).toEqual([
      { number: 2, focus: 'boundaries', round: 8 },
      { number: 3, focus: 'team', round: 11 },
      { number: 4, focus: 'recognition', round: 11 },
    ]);
    expect(teamChart('t', history).actions).toEqual([]);
  });

  it('marks an action on its dimension’s row, at the round it started, with its number', () => {
    const [boundaries] = markers('boundaries').filter((m) => m['data-round'] === '8');
    expect(boundaries?.['data-actions']).toBe('2');
    expect(boundaries?.['stroke-dasharray']).toBeDefined();
    // The line is drawn at round 8's x: the same x as round 8's point on that row.
    expect(boundaries?.d).toMatch(new RegExp(`^M${xOfPoint('boundaries', 8)} `));
    expect(dimensionGroup(svg, 'boundaries')).toContain('>#2</text>');
    expect(dimensionGroup(svg, 'energy')).not.toContain('>#2<');
  });

  it('marks a team action on every row, sharing the line with others of its round', () => {
    for (const d of DIMENSIONS) {
      const at11 = markers(d).filter((m) => m['data-round'] === '11');
      expect(at11).toHaveLength(1);
      expect(at11[0]?.['data-actions']).toBe(d === 'recognition' ? '3 4' : '3');
      expect(at11[0]?.d).toMatch(new RegExp(`^M${xOfPoint(d, 11)} `));
    }
    expect(dimensionGroup(svg, 'recognition')).toContain('>#3 #4</text>');
    expect(markers('energy').map((m) => m['data-round'])).toEqual(['11']);
    expect(svg).not.toContain('#1<');
    expect(svg).not.toContain('#5<');
    expect(svg).toContain('action starts');
    // No text of an action is drawn: the picture says where, the report says what.
    expect(svg).not.toContain('Fridays');
  });

  it('draws no marker and no legend entry without actions', () => {
    const plain = teamChartSvg(teamChart('platform-api', history)).svg;
    expect(elements(plain, 'path').filter((p) => p.class === 'action')).toEqual([]);
    expect(plain).not.toContain('action starts');
  });

  it('names each action in the alt text, within Slack’s limit', () => {
    const alt = teamChartAltText(chart);
    expect(alt).toContain(
      'Actions: action #2 on boundaries from round 8; action #3 for the whole team from round 11; action #4 on recognition from round 11.',
    );
    expect(alt.length).toBeLessThanOrEqual(MAX_ALT_TEXT);
    expect(teamChartAltText(teamChart('platform-api', history))).not.toContain('Actions');
  });
});

describe('the lead chart', () => {
  const steady = Array.from({ length: 12 }, (_, i) => tally(i + 1, STEADY));
  const teams = [
    { slug: 'calm', history: steady },
    { slug: 'falling', history },
    { slug: 'tiny', history: Array.from({ length: 3 }, (_, i) => tally(i + 1, HIDDEN, { invited: 4 })) },
  ];
  const chart = leadChart(
    'ULEAD',
    teams.map((t) => ({
      health: assessTeam({ slug: t.slug, managerId: `UM${t.slug}` }, t.history),
      chart: teamChart(t.slug, t.history),
    })),
  );
  const { svg } = leadChartSvg(chart);

  it('has a row per team, riskiest first, in the digest’s order', () => {
    const digest = buildDigest(
      'ULEAD',
      teams.map((t) => assessTeam({ slug: t.slug, managerId: 'UM' }, t.history)),
    );
    // Flags first; then the lowest mean (a team with nothing shown has none, so it comes last).
    expect(digest.teams.map((t) => t.team)).toEqual(['falling', 'calm', 'tiny']);
    expect(chart.rows.map((r) => r.chart.team)).toEqual(['falling', 'calm', 'tiny']);
    const names = ['falling', 'calm', 'tiny'].map((t) => svg.indexOf(`>${t}</text>`));
    expect(names.every((at) => at > 0)).toBe(true);
    expect([...names].sort((a, b) => a - b)).toEqual(names);
    expect(chart.rows[0]?.worst).toBe('critical');
  });

  it('colours shown rounds on the fixed scale and leaves hidden ones empty', () => {
    const cells = elements(svg, 'path').filter((p) => p.class === 'cells');
    const cellCount = cells.reduce((n, p) => n + (p.d?.match(/M/g)?.length ?? 0), 0);
    const gaps = elements(svg, 'path').find((p) => p.class === 'gaps');
    const gapCount = gaps?.d?.match(/M/g)?.length ?? 0;
    // calm: 12 shown; falling: 10 shown and 2 hidden of its last 12; tiny: 3 hidden. Four dimensions each.
    expect(cellCount).toBe(4 * (12 + 10));
    expect(gapCount).toBe(4 * (2 + 3));
    expect(cells.map((c) => c.fill)).toContain(scaleColor(4));
    expect(scaleColor(1)).toBe('#b2182b');
    expect(scaleColor(5)).toBe('#2166ac');
    // Half-point bands: a low mean (2.5 or less) is always one of the reds, above 3 always a blue.
    expect([2, 2.5, 2.51, 3, 3.01, 4.5, 4.51].map(scaleColor)).toEqual([
      '#d6604d',
      '#f4a582',
      '#fddbc7',
      '#fddbc7',
      '#d1e5f0',
      '#4393c3',
      '#2166ac',
    ]);
  });

  it('says in its alt text every team in order, with its latest round, within Slack’s limit', () => {
    const alt = leadChartAltText(chart);
    expect(alt.indexOf('falling, round 14')).toBeLessThan(alt.indexOf('tiny, round 3'));
    expect(alt).toContain('tiny, round 3: 4 of 4 answered, scores hidden.');
    const many = leadChart(
      'ULEAD',
      Array.from({ length: 200 }, (_, i) => ({
        health: assessTeam({ slug: `team-${i}`, managerId: 'UM' }, steady),
        chart: teamChart(`team-${i}`, steady),
      })),
    );
    const long = leadChartAltText(many);
    expect(long.length).toBeLessThanOrEqual(MAX_ALT_TEXT);
    expect(long).toMatch(/And \d+ more\.$/);
  });
});

describe('PNG rendering', () => {
  const pngSize = (png: Buffer) => ({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) });
  const page = (body: string): ChartSvg => ({
    width: 200,
    height: 60,
    svg: `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60"><rect width="200" height="60" fill="#fff"/>${body}</svg>`,
  });

  it('renders a chart to a PNG of the chart’s size', async () => {
    const chartSvg = teamChartSvg(teamChart('platform-api', history));
    const png = await svgToPng(chartSvg);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    const scale = chartScale(chartSvg);
    expect(pngSize(png)).toEqual({
      width: Math.round(chartSvg.width * scale),
      height: Math.round(chartSvg.height * scale),
    });
  });

  it('draws text with the bundled font, whatever fonts the machine has', async () => {
    const blank = await svgToPng(page(''));
    const word = await svgToPng(page('<text x="10" y="40" font-family="Inter" font-size="30">Energy</text>'));
    const sameWordDefaultFamily = await svgToPng(page('<text x="10" y="40" font-size="30">Energy</text>'));
    // A missing font draws nothing, and an empty picture compresses to almost nothing.
    expect(word.length).toBeGreaterThan(blank.length + 500);
    expect(sameWordDefaultFamily.equals(word)).toBe(true);
  });

  it('renders a 200-team lead chart at one pixel per unit, the most a tall chart needs', () => {
    expect(chartScale({ width: 860, height: 118 + 200 * 16 + 12 })).toBe(1);
    expect(chartScale({ width: 600, height: 300 })).toBe(1.5);
    expect(CHART_ROUNDS).toBe(12);
  });

  it('draws no chart wider than Slack’s largest thumbnail, 1,024 pixels', async () => {
    const team = teamChartSvg(teamChart('platform-api', history));
    expect(team.width * 1.5).toBeGreaterThan(1024);
    const png = await svgToPng(team);
    expect(pngSize(png).width).toBe(1024);
    expect(chartScale({ width: 860, height: 400 }) * 860).toBeCloseTo(1024);
    expect(CHART_ROUNDS).toBe(12);
  });
});
