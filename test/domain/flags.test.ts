import { describe, expect, it } from 'vitest';
import { DIMENSIONS, type Dimension, type Distribution } from '../../src/domain/dimensions.ts';
import { compareFlags, computeFlags, type Flag } from '../../src/domain/flags.ts';
import { type Unjudged, under } from '../support/tallies.ts';

const MIN = 5;

/** A distribution from a list of answers, e.g. [4, 4, 3]. */
const dist = (answers: readonly number[]): Distribution => {
  const d: Distribution = [0, 0, 0, 0, 0];
  for (const a of answers) d[(a - 1) as 0 | 1 | 2 | 3 | 4] += 1;
  return d;
};

/**
 * A closed round. `answers` is either one list used for every dimension, or lists per dimension
 * (the others get `rest`). `invited` defaults to the number of answers.
 */
function round(
  number: number,
  answers: readonly number[] | Partial<Record<Dimension, readonly number[]>>,
  options: { invited?: number; rest?: readonly number[] } = {},
): Unjudged {
  const perDimension = (d: Dimension): readonly number[] =>
    Array.isArray(answers)
      ? (answers as readonly number[])
      : ((answers as Partial<Record<Dimension, readonly number[]>>)[d] ?? options.rest ?? []);
  const distributions = Object.fromEntries(DIMENSIONS.map((d) => [d, dist(perDimension(d))])) as Record<
    Dimension,
    Distribution
  >;
  const responded = perDimension('energy').length;
  const openedAt = new Date(Date.UTC(2025, 0, 6 + 7 * number));
  return {
    roundId: 100 + number,
    number,
    openedAt,
    closedAt: new Date(openedAt.getTime() + 72 * 3600 * 1000),
    invited: options.invited ?? responded,
    responded,
    distributions,
  };
}

const STEADY = [4, 4, 3, 4, 5, 4];
const steadyWeeks = (count: number, answers: readonly number[] = STEADY): Unjudged[] =>
  Array.from({ length: count }, (_, i) => round(i + 1, answers));

const kinds = (flags: Flag[]): string[] => flags.map((f) => `${f.kind}:${f.dimension ?? '-'}`);

describe('computeFlags: what a manager sees', () => {
  it('raises nothing for a team that answers the same every week', () => {
    for (let weeks = 1; weeks <= 12; weeks++) {
      expect(computeFlags(under(MIN, steadyWeeks(weeks)))).toEqual([]);
    }
  });

  it('raises nothing for a steady team whose answers wobble a little from week to week', () => {
    const weeks = [
      [4, 4, 3, 4, 5, 4],
      [4, 3, 3, 4, 5, 4],
      [4, 4, 4, 4, 5, 3],
      [5, 4, 3, 4, 4, 4],
      [4, 4, 3, 3, 5, 4],
      [4, 3, 3, 4, 4, 4],
      [4, 4, 3, 4, 5, 5],
    ];
    const history = weeks.map((answers, i) => round(i + 1, answers));
    for (let i = 1; i <= history.length; i++)
      expect(computeFlags(under(MIN, history.slice(0, i)))).toEqual([]);
  });

  it('returns nothing for an empty history', () => {
    expect(computeFlags(under(MIN, []))).toEqual([]);
  });

  it('flags a low level with its evidence and one line in plain words', () => {
    const history = [...steadyWeeks(4), round(5, { energy: [2, 2, 3, 2, 3, 2] }, { rest: STEADY })];
    const low = computeFlags(under(MIN, history)).find((f) => f.kind === 'low');
    expect(low).toMatchObject({
      kind: 'low',
      dimension: 'energy',
      severity: 'warning',
      evidence: { n: 6, value: 14 / 6, baseline: 4 },
    });
    expect(low?.explanation).toBe('Energy averaged 2.3 from 6 answers (baseline 4.0)');
  });

  it('draws the line for low at a mean of 2.5, critical at 2.0', () => {
    const lowOf = (answers: number[]) =>
      computeFlags(under(MIN, [round(1, { boundaries: answers }, { rest: STEADY })])).find(
        (f) => f.kind === 'low',
      );
    expect(lowOf([2, 3, 2, 3, 2, 3])?.severity).toBe('warning'); // 2.5
    expect(lowOf([2, 2, 2, 2, 2, 2])?.severity).toBe('critical'); // 2.0
    expect(lowOf([2, 3, 3, 3, 2, 3])).toBeUndefined(); // 2.67
  });

  it('keeps flagging a team that is low every week, but only as low (no drop, no slide)', () => {
    const history = steadyWeeks(8, [2, 2, 2, 2, 2, 2]);
    expect(kinds(computeFlags(under(MIN, history)))).toEqual(DIMENSIONS.map((d) => `low:${d}`));
  });

  it('flags a one-point drop of the whole team as drop, critical, against the baseline', () => {
    const history = [...steadyWeeks(6), round(7, { ownership: [3, 3, 2, 3, 4, 3] }, { rest: STEADY })];
    const flags = computeFlags(under(MIN, history));
    expect(kinds(flags)).toEqual(['drop:ownership']);
    expect(flags[0]).toMatchObject({ severity: 'critical', evidence: { n: 6, value: 3, baseline: 4 } });
    expect(flags[0]?.explanation).toBe(
      'Ownership fell to 3.0 from a baseline of 4.0 (6 answers; 4 earlier rounds)',
    );
  });

  it('does not call one to three people answering a point lower a drop (that happens by chance)', () => {
    const dips = [
      [3, 4, 3, 4, 5, 4], // one person a point lower
      [3, 3, 3, 4, 5, 4], // two people a point lower
      [4, 3, 3, 3, 4, 4], // three people a point lower
    ];
    for (const dip of dips) {
      const history = [...steadyWeeks(6), round(7, { energy: dip }, { rest: STEADY })];
      expect(computeFlags(under(MIN, history))).toEqual([]);
    }
  });

  it('needs more evidence from fewer answers: the same fall is a drop for eight, not for five', () => {
    const eight = [4, 4, 4, 4, 4, 4, 4, 4];
    const five = [4, 4, 4, 4, 4];
    const fallEight = [
      ...steadyWeeks(5, eight),
      round(6, { energy: [4, 3, 3, 3, 4, 3, 3, 4] }, { rest: eight }),
    ];
    const fallFive = [
      ...steadyWeeks(5, [3, 5, 4, 4, 4]),
      round(6, { energy: [3, 4, 3, 4, 3] }, { rest: five }),
    ];
    expect(kinds(computeFlags(under(MIN, fallEight)))).toContain('drop:energy');
    expect(kinds(computeFlags(under(MIN, fallFive)))).not.toContain('drop:energy');
  });

  it('flags a sustained slide over three rounds as slide', () => {
    const slide = [
      [4, 4, 4, 4, 4, 4],
      [4, 4, 4, 4, 3, 4],
      [4, 4, 4, 3, 3, 3],
      [4, 3, 3, 3, 3, 3],
      [3, 3, 3, 3, 3, 2],
    ];
    const history = [
      ...steadyWeeks(4, [4, 4, 4, 4, 4, 4]),
      ...slide.map((a, i) => round(5 + i, { recognition: a }, { rest: STEADY })),
    ];
    const flags = computeFlags(under(MIN, history)).filter((f) => f.dimension === 'recognition');
    const slideFlag = flags.find((f) => f.kind === 'slide');
    expect(slideFlag).toBeDefined();
    expect(slideFlag?.explanation).toBe(
      'Recognition has slid 3 rounds running: 3.8 → 3.5 → 3.2 → 2.8 (6 answers)',
    );
  });

  it('says "slid N rounds running" only when each step fell, and otherwise what the fitted trend did', () => {
    const level = [3, 3, 3, 3, 3, 4];
    const slide = [
      [3, 3, 3, 3, 2, 3],
      [3, 2, 2, 2, 3, 2],
      [3, 2, 3, 2, 3, 2],
      [2, 2, 2, 2, 2, 2],
    ];
    const history = [
      ...[1, 2, 3, 4].map((n) => round(n, { energy: level }, { rest: STEADY })),
      ...slide.map((a, i) => round(5 + i, { energy: a }, { rest: STEADY })),
    ];
    const flag = computeFlags(under(MIN, history)).find((f) => f.kind === 'slide');
    // 2.8 → 2.3 → 2.5 → 2.0 rose once: not "slid 3 rounds running".
    expect(flag?.explanation).toBe(
      'Energy’s trend fell from 2.8 to 2.1 over 3 rounds (round means 2.8, 2.3, 2.5, 2.0; 6 answers)',
    );
  });

  it('calls a one-off step down a drop, not a slide', () => {
    const history = [...steadyWeeks(7), round(8, { energy: [3, 3, 2, 3, 4, 3] }, { rest: STEADY })];
    expect(kinds(computeFlags(under(MIN, history)))).toEqual(['drop:energy']);
  });

  it('flags a split team (three at 1, three at 5) as low_share, not low', () => {
    const history = [...steadyWeeks(4), round(5, { energy: [1, 1, 1, 5, 5, 5] }, { rest: STEADY })];
    const flags = computeFlags(under(MIN, history)).filter((f) => f.dimension === 'energy');
    const share = flags.find((f) => f.kind === 'low_share');
    expect(share).toMatchObject({ severity: 'critical', evidence: { n: 6, value: 0.5, baseline: 0 } });
    expect(flags.some((f) => f.kind === 'low')).toBe(false);
    // The same split from the first round on, and still every week after.
    const alwaysSplit = steadyWeeks(8, [1, 1, 1, 5, 5, 5]);
    for (let i = 1; i <= alwaysSplit.length; i++) {
      expect(kinds(computeFlags(under(MIN, alwaysSplit.slice(0, i))))).toEqual(
        DIMENSIONS.map((d) => `low_share:${d}`),
      );
    }
  });

  it('flags two people far below the rest, but not the lower end of a team spread around 3', () => {
    const split = computeFlags(under(MIN, [round(1, { energy: [1, 1, 4, 4, 4, 4] }, { rest: STEADY })]));
    expect(kinds(split)).toEqual(['low_share:energy']);
    expect(split[0]?.severity).toBe('warning');
    for (const spread of [
      [2, 2, 3, 3, 4, 4],
      [2, 2, 3, 4, 4, 5],
      [2, 2, 2, 4, 4, 4],
    ]) {
      expect(computeFlags(under(MIN, steadyWeeks(6, spread)))).toEqual([]);
    }
    // One person's answer alone is never a share.
    expect(computeFlags(under(3, [round(1, [1, 4, 5], { invited: 3 })]))).toEqual([]);
  });

  it('gives a hidden round no answer-based flags, but still a participation flag', () => {
    const history = [...steadyWeeks(4), round(5, [1, 1, 1], { invited: 6 })];
    const flags = computeFlags(under(MIN, history));
    expect(kinds(flags)).toEqual(['participation:-']);
    expect(flags[0]?.evidence).toEqual({ n: 3, value: 0.5, baseline: 1 });
  });

  it('skips hidden rounds in the baseline instead of counting them as zeros', () => {
    const history = [
      round(1, STEADY),
      round(2, STEADY),
      round(3, [1, 1], { invited: 6 }),
      round(4, STEADY),
      round(5, [1, 1, 1], { invited: 6 }),
      round(6, STEADY),
      round(7, STEADY),
    ];
    const flags = computeFlags(under(MIN, history));
    expect(flags).toEqual([]);
    // The baseline of a later low round is the four shown rounds before it: 4.0, not pulled down.
    const later = [...history, round(8, { energy: [2, 2, 2, 2, 3, 2] }, { rest: STEADY })];
    const low = computeFlags(under(MIN, later)).find((f) => f.kind === 'low');
    expect(low?.evidence.baseline).toBe(4);
  });

  it('flags participation under 50 %, and 25 points or more under the previous rounds', () => {
    const base = steadyWeeks(4).map((r) => ({ ...r, invited: 6 }));
    const rate = (responded: number, invited: number) => {
      const answers = STEADY.concat(STEADY).slice(0, responded);
      return computeFlags(under(MIN, [...base, round(5, answers, { invited })])).find(
        (f) => f.kind === 'participation',
      );
    };
    expect(rate(6, 8)).toMatchObject({ severity: 'warning', evidence: { n: 6, value: 0.75, baseline: 1 } });
    expect(rate(6, 8)?.explanation).toBe(
      'Participation fell: 6 of 8 answered (75%), against 100% in the previous 4 rounds',
    );
    expect(rate(7, 9)).toBeUndefined(); // 78 %: 22 points down
    expect(rate(5, 10)?.severity).toBe('critical'); // 50 points down
    const low = computeFlags(under(MIN, [round(1, [4, 4], { invited: 5 })])).find(
      (f) => f.kind === 'participation',
    );
    expect(low).toMatchObject({ severity: 'warning', evidence: { n: 2, value: 0.4, baseline: null } });
    expect(low?.explanation).toBe('Only 2 of 5 answered (40%)');
  });

  it('raises no participation flag when nobody was invited', () => {
    expect(computeFlags(under(MIN, [round(1, [], { invited: 0 })]))).toEqual([]);
    expect(computeFlags(under(MIN, [...steadyWeeks(3), round(4, [], { invited: 0 })]))).toEqual([]);
  });

  it('lists the most severe flags first', () => {
    const history = [
      ...steadyWeeks(4).map((r) => ({ ...r, invited: 7 })),
      round(5, { energy: [2, 3, 3, 2, 3, 3], boundaries: [1, 2, 2, 1, 2, 2] }, { rest: STEADY, invited: 7 }),
    ];
    const flags = computeFlags(under(MIN, history));
    const severities = flags.map((f) => f.severity);
    expect(severities).toEqual([...severities].sort((a, b) => (a === b ? 0 : a === 'critical' ? -1 : 1)));
    expect(flags[0]?.severity).toBe('critical');
    expect([...flags].sort(compareFlags)).toEqual(flags);
  });

  it('keeps every explanation to one line', () => {
    const history = [...steadyWeeks(4), round(5, [1, 1, 1, 5, 5, 2], { invited: 12 })];
    const flags = computeFlags(under(MIN, history));
    expect(flags.length).toBeGreaterThan(0);
    for (const f of flags) expect(f.explanation).not.toMatch(/\n/);
  });
});
