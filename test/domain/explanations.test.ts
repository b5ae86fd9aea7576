/**
 * Words that match the numbers: over random histories, every flag's explanation quotes figures that
 * agree with the round it is about and with each other, and the summary line beside it agrees too.
 * Seeded, so every run checks the same histories.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DIMENSIONS, type Dimension, QUESTIONS } from '../../src/domain/dimensions.ts';
import { computeFlags, FLAG_RULES, type Flag } from '../../src/domain/flags.ts';
import { formatMean, mean } from '../../src/domain/stats.ts';
import type { RoundTally } from '../../src/domain/tally.ts';
import type { Block } from '../../src/messages/text.ts';
import { roundReport } from '../../src/usecases/report.ts';
import { historyArb } from '../support/history.ts';

const MIN = 5;
const RUNS = 3000;

const tenths = (s: string): number => Math.round(Number(s) * 10);
const label = (d: Dimension | null): string => (d === null ? 'Participation' : QUESTIONS[d].label);

/** How often each way of saying things came up, so the property is known to have been exercised. */
const seen = new Map<string, number>();
const saw = (what: string) => seen.set(what, (seen.get(what) ?? 0) + 1);

/** Checks one explanation against the round; returns the round means it quotes (for a slide), else []. */
function check(f: Flag, current: RoundTally): string[] {
  const e = f.explanation;
  if (f.kind === 'participation') {
    const m =
      /^(Participation fell: |Only )(\d+) of (\d+) answered \((\d+)%\)(?:, against (\d+)% in the previous (\d+) rounds?)?$/.exec(
        e,
      );
    expect(m, e).not.toBeNull();
    const [, lead, responded, invited, percent, before] = m as RegExpExecArray;
    expect([Number(responded), Number(invited)]).toEqual([current.responded, current.invited]);
    expect(Number(percent)).toBe(Math.round((current.responded / current.invited) * 100));
    if (lead === 'Only ') {
      saw('participation: only');
      expect(Number(percent)).toBeLessThanOrEqual(FLAG_RULES.participationRate * 100);
    } else {
      saw('participation: fell');
      expect(Number(percent), e).toBeLessThan(Number(before));
    }
    return [];
  }
  const d = f.dimension as Dimension;
  const now = formatMean(mean(current.distributions[d]) as number);
  const name = label(d);
  const answers = `${current.responded} answer${current.responded === 1 ? '' : 's'}`;
  switch (f.kind) {
    case 'low': {
      const m = new RegExp(
        `^${name} averaged (\\d\\.\\d) from (\\d+ answers?) \\((?:baseline \\d\\.\\d|no earlier rounds to compare)\\)$`,
      ).exec(e);
      expect(m, e).not.toBeNull();
      expect(m?.[1]).toBe(now);
      expect(m?.[2]).toBe(answers);
      expect(tenths(now)).toBeLessThanOrEqual(tenths(formatMean(FLAG_RULES.lowMean)));
      saw('low');
      return [];
    }
    case 'drop': {
      const m = new RegExp(
        `^${name} fell to (\\d\\.\\d) from a baseline of (\\d\\.\\d) \\((\\d+ answers?); \\d+ earlier rounds?\\)$`,
      ).exec(e);
      expect(m, e).not.toBeNull();
      expect(m?.[1]).toBe(now);
      expect(m?.[3]).toBe(answers);
      expect(tenths(m?.[1] ?? ''), e).toBeLessThan(tenths(m?.[2] ?? ''));
      saw('drop');
      return [];
    }
    case 'slide': {
      const slid = new RegExp(
        `^${name} has slid (\\d+) rounds? running: ((?:\\d\\.\\d → )+\\d\\.\\d) \\((\\d+ answers?)\\)$`,
      ).exec(e);
      const fitted = new RegExp(
        `^${name}’s trend fell from (\\d\\.\\d) to (\\d\\.\\d) over (\\d+) rounds? \\(round means ((?:\\d\\.\\d, )+\\d\\.\\d); (\\d+ answers?)\\)$`,
      ).exec(e);
      expect(slid ?? fitted, e).not.toBeNull();
      const means = (slid ? slid[2]?.split(' → ') : fitted?.[4]?.split(', ')) ?? [];
      const steps = Number(slid ? slid[1] : fitted?.[3]);
      expect(means.length).toBe(steps + 1);
      expect(means.at(-1)).toBe(now);
      expect(slid ? slid[3] : fitted?.[5]).toBe(answers);
      const eachFell = means.every((x, i) => i === 0 || tenths(x) < tenths(means[i - 1] ?? ''));
      // "Slid N rounds running" exactly when each step, as printed, fell.
      expect(eachFell, e).toBe(slid !== null);
      if (fitted) expect(tenths(fitted[1] ?? ''), e).toBeGreaterThan(tenths(fitted[2] ?? ''));
      saw(slid ? 'slide: slid' : 'slide: trend fell');
      return means;
    }
    case 'low_share': {
      const m = new RegExp(
        `^(\\d+) of (\\d+) answers on ${name} were 1–2 although the average is (\\d\\.\\d): part of the team may be struggling(?: \\(\\d+% before\\))?$`,
      ).exec(e);
      expect(m, e).not.toBeNull();
      const dist = current.distributions[d];
      expect(Number(m?.[1])).toBe(dist[0] + dist[1]);
      expect(Number(m?.[2])).toBe(current.responded);
      expect(Number(m?.[1]) / Number(m?.[2])).toBeGreaterThanOrEqual(FLAG_RULES.lowShare - 1e-9);
      expect(m?.[3]).toBe(now);
      expect(tenths(now)).toBeGreaterThanOrEqual(tenths(formatMean(FLAG_RULES.lowMean)));
      saw('low_share');
      return [];
    }
  }
}

/** The summary's line for each dimension: its mean and the change it prints ('' without one). */
function summaryLines(blocks: readonly Block[]): Map<string, { mean: string; change: string }> {
  const lines = new Map<string, { mean: string; change: string }>();
  for (const b of blocks) {
    const text = b.type === 'section' ? (b.text?.text ?? '') : '';
    for (const line of text.split('\n')) {
      const m = /^\*(\w+)\* {2}(\d\.\d)(?: {2}\(([+−±]\d\.\d) vs last shown round\))? {2}· {2}1–5 `/.exec(
        line,
      );
      if (m) lines.set(m[1] ?? '', { mean: m[2] ?? '', change: m[3] ?? '' });
    }
  }
  return lines;
}

const signedTenths = (change: string): number =>
  change.startsWith('−') ? -tenths(change.slice(1)) : tenths(change.replace(/^[+±]/, ''));

describe('explanations quote figures that agree', () => {
  it('over random histories: every flag sentence, and the summary line beside it', () => {
    fc.assert(
      fc.property(historyArb(), (history) => {
        const current = history.at(-1) as RoundTally;
        const flags = computeFlags(history);
        const report = roundReport({ slug: 'team', managerId: 'UM' }, history, [], () => 0.5);
        const lines = summaryLines(report.blocks);
        for (const d of DIMENSIONS) {
          if (current.responded < MIN) expect(lines.has(label(d))).toBe(false);
          else expect(lines.get(label(d))?.mean).toBe(formatMean(mean(current.distributions[d]) as number));
        }
        for (const f of flags) {
          // Every explanation reaches the manager as written.
          expect(JSON.stringify(report.blocks)).toContain(JSON.stringify(f.explanation).slice(1, -1));
          const quoted = check(f, current);
          if (quoted.length < 2) continue;
          // The last step of a slide is the change the summary prints against the last shown round.
          const change = lines.get(label(f.dimension))?.change ?? '';
          const step = tenths(quoted.at(-1) ?? '') - tenths(quoted.at(-2) ?? '');
          expect(signedTenths(change), `${f.explanation} beside ${change}`).toBe(step);
          if (f.explanation.includes('has slid')) expect(signedTenths(change)).toBeLessThan(0);
        }
      }),
      { numRuns: RUNS, seed: 20240611 },
    );
    // The histories did reach every kind of sentence, both ways of describing a slide included.
    for (const what of [
      'low',
      'drop',
      'slide: slid',
      'slide: trend fell',
      'low_share',
      'participation: only',
      'participation: fell',
    ]) {
      expect(seen.get(what) ?? 0, what).toBeGreaterThanOrEqual(5);
    }
  });
});
