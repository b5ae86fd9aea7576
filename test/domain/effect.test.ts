import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/domain/actions.ts';
import type { Distribution } from '../../src/domain/dimensions.ts';
import { criticalWithoutAction, judgeEffect } from '../../src/domain/effect.ts';
import type { RoundTally } from '../../src/domain/tally.ts';

const WEEK = 7 * 24 * 3600 * 1000;

/** Six answers of `levels` on boundaries (others at 4); `shown` as the threshold decided. */
function round(number: number, levels: readonly number[], shown = true): RoundTally {
  const d: Distribution = [0, 0, 0, 0, 0];
  for (const l of levels) d[(l - 1) as 0 | 1 | 2 | 3 | 4] += 1;
  const fours: Distribution = [0, 0, 0, levels.length, 0];
  const openedAt = new Date(Date.UTC(2026, 0, 5) + number * WEEK);
  const empty: Distribution = [0, 0, 0, 0, 0];
  return {
    roundId: number,
    number,
    openedAt,
    closedAt: openedAt,
    invited: 6,
    responded: shown ? levels.length : 3,
    minResponses: 5,
    shown,
    distributions: shown
      ? { energy: fours, boundaries: d, ownership: fours, recognition: fours }
      : { energy: empty, boundaries: empty, ownership: empty, recognition: empty },
  };
}

const STEADY = [3, 4, 4, 5, 4, 3];
const HIGHER = STEADY.map((l) => Math.min(5, l + 1));
const LOWER = STEADY.map((l) => l - 1);
const before = [1, 2, 3, 4].map((n) => round(n, STEADY));
const boundaries = { focus: 'boundaries' as const, round: 4 };

describe('judgeEffect', () => {
  it('is too early with fewer than two shown rounds since the action started; hidden rounds never count', () => {
    expect(judgeEffect(boundaries, before)).toBe('too early');
    expect(judgeEffect(boundaries, [...before, round(5, HIGHER)])).toBe('too early');
    expect(judgeEffect(boundaries, [...before, round(5, HIGHER), round(6, [], false)])).toBe('too early');
  });

  it('reads a rise of a point for everyone as likely better, a fall as likely worse, no change as none', () => {
    expect(judgeEffect(boundaries, [...before, round(5, HIGHER), round(6, HIGHER)])).toBe('likely better');
    expect(judgeEffect(boundaries, [...before, round(5, LOWER), round(6, [], false), round(7, LOWER)])).toBe(
      'likely worse',
    );
    expect(judgeEffect(boundaries, [...before, round(5, STEADY), round(6, STEADY)])).toBe('no clear change');
  });

  it('judges only its own dimension, and `team` on all four', () => {
    const rise = [...before, round(5, HIGHER), round(6, HIGHER)];
    expect(judgeEffect({ focus: 'energy', round: 4 }, rise)).toBe('no clear change');
    expect(judgeEffect({ focus: 'team', round: 4 }, rise)).toBe('likely better');
    expect(judgeEffect({ focus: 'team', round: 4 }, [...before, round(5, LOWER), round(6, LOWER)])).toBe(
      'likely worse',
    );
  });

  it('has nothing to compare with when no shown round came before the action', () => {
    expect(judgeEffect({ focus: 'boundaries', round: 0 }, [round(1, HIGHER), round(2, HIGHER)])).toBe(
      'no clear change',
    );
  });

  it('reads a rise of half a point for half the team as no clear change (not beyond the noise)', () => {
    const half = STEADY.map((l, i) => (i < 3 ? l + 1 : l));
    expect(judgeEffect(boundaries, [...before, round(5, half), round(6, STEADY)])).toBe('no clear change');
  });
});

describe('criticalWithoutAction', () => {
  const low = [1, 1, 2, 1, 1, 2];
  const action = (number: number, round: number, status: Action['status']): Action => ({
    number,
    focus: 'boundaries',
    text: 'x',
    round,
    status,
  });

  it('marks two shown rounds running with a critical flag and nothing tried', () => {
    const history = [...before, round(5, low), round(6, [], false), round(7, low)];
    expect(criticalWithoutAction(history, [])).toBe(true);
    expect(criticalWithoutAction(history.slice(0, 5), [])).toBe(false);
    expect(criticalWithoutAction([...history, round(8, STEADY)], [])).toBe(false);
  });

  it('does not mark a team with an open action, or one tried since the first of those rounds', () => {
    const history = [...before, round(5, low), round(6, low)];
    expect(criticalWithoutAction(history, [action(1, 2, 'open')])).toBe(false);
    expect(criticalWithoutAction(history, [action(1, 5, 'dropped')])).toBe(false);
    expect(criticalWithoutAction(history, [action(1, 3, 'done')])).toBe(true);
  });
});
