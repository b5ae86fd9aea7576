import { describe, expect, it } from 'vitest';
import { DIMENSIONS, type Distribution } from '../../src/domain/dimensions.ts';
import { arrow, sparkChar, trend } from '../../src/domain/trend.ts';
import { type Unjudged, under } from '../support/tallies.ts';

const dist = (answers: readonly number[]): Distribution => {
  const d: Distribution = [0, 0, 0, 0, 0];
  for (const a of answers) d[(a - 1) as 0 | 1 | 2 | 3 | 4] += 1;
  return d;
};

const round = (number: number, answers: readonly number[], invited = 6): Unjudged => ({
  roundId: number,
  number,
  openedAt: new Date(Date.UTC(2025, 0, 6 + 7 * number)),
  closedAt: new Date(Date.UTC(2025, 0, 9 + 7 * number)),
  invited,
  responded: answers.length,
  distributions: Object.fromEntries(DIMENSIONS.map((d) => [d, dist(answers)])) as Unjudged['distributions'],
});

describe('trend', () => {
  it('maps means onto the fixed 1..5 scale, so sparklines compare across teams', () => {
    expect(sparkChar(1)).toBe('▁');
    expect(sparkChar(5)).toBe('█');
    expect(sparkChar(3)).toBe('▅');
    expect(sparkChar(2)).toBe('▃');
    expect(sparkChar(null)).toBe(' ');
  });

  it('shows hidden rounds as gaps, never as low bars and never filled in', () => {
    const history = [round(1, [5, 5, 5, 5, 5]), round(2, [1, 1, 1]), round(3, [5, 5, 5, 5, 5])];
    const t = trend(under(5, history));
    expect(t.dimensions.energy.means).toEqual([5, null, 5]);
    expect(t.dimensions.energy.sparkline).toBe('█ █');
    expect(t.rounds).toEqual([
      { number: 1, shown: true, responded: 5, invited: 6 },
      { number: 2, shown: false, responded: 3, invited: 6 },
      { number: 3, shown: true, responded: 5, invited: 6 },
    ]);
  });

  it('takes the last 8 rounds by default, or as many as asked', () => {
    const history = Array.from({ length: 12 }, (_, i) =>
      round(i + 1, [1 + (i % 5), 1 + (i % 5), 1 + (i % 5)]),
    );
    const t = trend(under(3, history));
    expect(t.rounds.map((r) => r.number)).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
    expect(t.dimensions.recognition.sparkline).toHaveLength(8);
    expect(t.dimensions.recognition.sparkline).toBe('█▁▃▅▆█▁▃');
    expect(trend(under(3, history), 3).rounds.map((r) => r.number)).toEqual([10, 11, 12]);
    expect(trend(under(3, [])).rounds).toEqual([]);
  });
});

describe('arrow', () => {
  it('points up or down beyond a small dead band, and sideways within it', () => {
    expect(arrow(3.4, 3.0)).toBe('↑');
    expect(arrow(2.9, 2.7)).toBe('↑');
    expect(arrow(3.0, 3.2)).toBe('↓');
    expect(arrow(3.1, 3.0)).toBe('→');
    expect(arrow(2.95, 3.1)).toBe('→');
  });

  it('says nothing when either figure is missing', () => {
    expect(arrow(null, 3)).toBe('');
    expect(arrow(3, null)).toBe('');
  });
});
