import { describe, expect, it } from 'vitest';
import { DIMENSIONS } from '../../src/domain/dimensions.ts';
import type { Flag, FlagKind } from '../../src/domain/flags.ts';
import { type Playbook, playbookFor } from '../../src/domain/playbook.ts';

const flag = (kind: FlagKind, dimension: Flag['dimension']): Flag => ({
  kind,
  dimension,
  severity: 'warning',
  evidence: { n: 6, value: 2.3, baseline: 3.8 },
  explanation: 'test',
});

const ANSWER_KINDS = ['low', 'drop', 'slide', 'low_share'] as const;
const all: Array<[string, Playbook]> = [
  ...ANSWER_KINDS.flatMap((k) =>
    DIMENSIONS.map((d): [string, Playbook] => [`${k}:${d}`, playbookFor(flag(k, d))]),
  ),
  ['participation', playbookFor(flag('participation', null))],
];

describe('playbooks', () => {
  it('has one for every kind and dimension, each with 2–3 items per list', () => {
    expect(all).toHaveLength(17);
    for (const [, p] of all) {
      expect(p.title.length).toBeGreaterThan(0);
      for (const list of [p.thisWeek, p.oneOnOne, p.forLead]) {
        expect(list.length).toBeGreaterThanOrEqual(2);
        expect(list.length).toBeLessThanOrEqual(3);
        for (const item of list) expect(item.length).toBeLessThanOrEqual(200);
      }
    }
  });

  it('is specific: no two playbooks share a title or an item', () => {
    expect(new Set(all.map(([, p]) => p.title)).size).toBe(all.length);
    const items = all.flatMap(([, p]) => [...p.thisWeek, ...p.oneOnOne, ...p.forLead]);
    expect(new Set(items).size).toBe(items.length);
    expect(playbookFor(flag('low', 'energy'))).not.toEqual(playbookFor(flag('low', 'recognition')));
    expect(playbookFor(flag('low', 'energy'))).not.toEqual(playbookFor(flag('drop', 'energy')));
  });

  it('asks open questions in 1:1s and never asks who answered what', () => {
    for (const [, p] of all) {
      for (const q of p.oneOnOne) {
        expect(q).toMatch(/\?$/);
        expect(q).toMatch(/^(What|How|When|Which|Where|Is|Has|Do|Did|Was|Who should|If)\b/);
        expect(q.toLowerCase()).not.toMatch(
          /who answered|your answer|your score|did you answer|check-in said/,
        );
      }
    }
  });

  it('coaches the manager: what they tried, what they propose, what support they need', () => {
    for (const [name, p] of all) {
      const text = p.forLead.join(' ');
      expect(
        p.forLead.every((q) => q.endsWith('?')),
        name,
      ).toBe(true);
      expect(text, name).toMatch(/tried|done|changed|handed|given/);
      expect(text, name).toMatch(/propose/);
      expect(text, name).toMatch(/support|help|need|backing/);
    }
  });
});
