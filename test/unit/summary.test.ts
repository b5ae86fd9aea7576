import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildDigest } from '../../src/domain/digest.ts';
import { assessTeam } from '../../src/domain/health.ts';
import type { Note } from '../../src/domain/notes.ts';
import type { RoundTally } from '../../src/domain/tally.ts';
import { digestMessage, MAX_DIGEST_TEAMS } from '../../src/messages/digest.ts';
import { PLAYBOOK_ACTION, playbookView } from '../../src/messages/insights.ts';
import { distributionBar, shownChange } from '../../src/messages/summary.ts';
import { type Block, inParts } from '../../src/messages/text.ts';
import { parsePlaybookValue, parseProposal } from '../../src/slack/forms.ts';
import { roundReport } from '../../src/usecases/report.ts';
import { assertWithinSlackLimits } from '../support/blockLimits.ts';
import { historyArb, tally } from '../support/history.ts';

const MIN = 5;
const asNotes = (texts: readonly string[]): Note[] =>
  texts.map((text, i) => ({ id: i.toString(16).padStart(32, '0'), text, replies: 0, repliable: true }));
const NOTES = asNotes(['More focus time, please.', 'The release went well.']);

const textOf = (b: Block): string =>
  b.type === 'section' ? (b.text?.text ?? '') : b.type === 'context' ? JSON.stringify(b.elements) : '';

/** Blocks before the anonymous notes (the whole message when the round shows none). */
const beforeNotes = (blocks: readonly Block[]): Block[] => {
  const at = blocks.findIndex((b) => /\*Notes \(anonymous|No notes this round/.test(textOf(b)));
  return at < 0 ? [...blocks] : blocks.slice(0, at);
};

const report = (history: RoundTally[]) =>
  roundReport({ slug: 'platform-api', managerId: 'UM' }, history, NOTES, () => 0.5);

describe('the manager’s summary fits on one screen', () => {
  it('spends at most 12 blocks before the notes, even with every dimension and participation flagged', () => {
    // Eight good rounds, two of them hidden (gaps in the trend), then everything falls at once and
    // only half the team answers.
    const good = [5, 5, 4, 5, 5, 4, 5, 5, 4, 5];
    const history = [
      ...Array.from({ length: 8 }, (_, i) =>
        tally(i + 1, i === 3 || i === 5 ? [5, 5, 5] : good, { invited: 10 }),
      ),
      tally(9, [1, 2, 1, 2, 1], { invited: 10 }),
    ];
    const { blocks } = report(history);
    assertWithinSlackLimits(blocks, 'message');
    const screen = beforeNotes(blocks);
    const flagged = screen.filter((b) => b.type === 'section' && b.accessory?.type === 'button');
    // Four dimensions and participation: five flag blocks, each with its "More ideas" button.
    expect(flagged).toHaveLength(5);
    expect(screen.length).toBeLessThanOrEqual(12);
    expect(JSON.stringify(blocks)).toContain('Gaps are rounds with too few answers');
    expect(JSON.stringify(blocks)).toContain('The release went well.');
  });

  it('spends at most 12 blocks before the notes over random histories', () => {
    fc.assert(
      fc.property(historyArb(), (history) => {
        const { blocks } = report(history);
        expect(beforeNotes(blocks).length).toBeLessThanOrEqual(12);
        assertWithinSlackLimits(blocks, 'message');
      }),
      { numRuns: 500, seed: 7 },
    );
  });

  it('gives one line per dimension: mean, change and the answers 1–5 as a bar', () => {
    const history = [tally(1, [3, 3, 4, 4, 4]), tally(2, [1, 3, 3, 4, 4, 4])];
    const scores =
      report(history)
        .blocks.map(textOf)
        .find((t) => t.startsWith('*Energy*')) ?? '';
    expect(scores.split('\n')).toEqual(
      ['Energy', 'Boundaries', 'Ownership', 'Recognition'].map(
        (d) => `*${d}*  3.2  (−0.4 vs last shown round)  ·  1–5 \`▃·▆█·\``,
      ),
    );
  });
});

describe('the figures on a summary line', () => {
  it('draws each answer’s count as a bar scaled to the most common one, and a dot for none', () => {
    expect(distributionBar([0, 1, 3, 2, 0])).toBe('·▃█▆·');
    expect(distributionBar([1, 1, 1, 1, 1])).toBe('█████');
    expect(distributionBar([0, 0, 0, 0, 6])).toBe('····█');
    expect(distributionBar([0, 0, 0, 0, 0])).toBe('·····');
  });

  it('prints the change as the difference of the means as printed', () => {
    // 3.04 prints as 3.0 and 3.05 as 3.1: "3.1 → 3.0" is a fall of 0.1, never "±0.0".
    expect(shownChange(3.04, 3.05)).toBe('−0.1');
    expect(shownChange(3.01, 2.99)).toBe('±0.0');
    expect(shownChange(4, 3.5)).toBe('+0.5');
  });
});

describe('the lead digest', () => {
  it('spends one block per team, and names the teams it has no room for', () => {
    const teams = fc
      .sample(historyArb(8), { numRuns: 60, seed: 3 })
      .map((history, i) => assessTeam({ slug: `team-${i}`, managerId: `UM${i}` }, history));
    const { blocks } = digestMessage(buildDigest('ULEAD', teams), MIN);
    assertWithinSlackLimits(blocks, 'message');
    const perTeam = blocks.filter((b) => /^\*team-\d+\* · manager/.test(textOf(b)));
    expect(perTeam).toHaveLength(MAX_DIGEST_TEAMS);
    for (const b of perTeam) expect(b.type).toBe('section');
    const rest = blocks.map(textOf).find((t) => t.includes('more teams with lower risk')) ?? '';
    expect(rest).toContain(`And ${60 - MAX_DIGEST_TEAMS} more teams`);
  });
});

describe("We'll try, one per flagged dimension", () => {
  // Everything falls at once and half the team answers: four dimensions and participation flagged.
  const good = [5, 5, 4, 5, 5, 4, 5, 5, 4, 5];
  const history = [
    ...Array.from({ length: 8 }, (_, i) => tally(i + 1, good, { invited: 10 })),
    tally(9, [1, 2, 1, 2, 1], { invited: 10 }),
  ];
  const blocks = report(history).blocks;
  const row = blocks.find((b) => b.type === 'actions' && b.block_id === 'flag_actions');
  const buttons = (row?.type === 'actions' ? row.elements : []) as Array<{
    action_id?: string;
    value?: string;
    text?: { text: string };
  }>;
  /** Each flag section's first suggestion, by what it is about, as the manager reads it. */
  const shown = beforeNotes(blocks)
    .filter((b) => b.type === 'section' && b.accessory?.type === 'button')
    .map((b) => {
      const t = textOf(b);
      return { about: /\*(\w+):/.exec(t)?.[1], suggestion: /\*Try this week:\* (.*)$/.exec(t)?.[1] };
    });

  it('gives every flagged dimension its own button, with its own id, in one block', () => {
    expect(shown.map((s) => s.about)).toEqual(
      expect.arrayContaining(['Energy', 'Boundaries', 'Ownership', 'Recognition', 'Participation']),
    );
    expect(buttons.map((b) => b.text?.text)).toEqual(shown.map((s) => `We'll try: ${s.about}`));
    expect(buttons.map((b) => b.action_id)).toEqual(shown.map((_, i) => `action_propose:${i}`));
    for (const b of buttons) expect((b.text?.text ?? '').length).toBeLessThanOrEqual(75);
    expect(beforeNotes(blocks).length).toBeLessThanOrEqual(12);
    assertWithinSlackLimits(blocks, 'message');
  });

  it('carries the suggestion shown next to its dimension, and that dimension (participation: the team)', () => {
    const proposals = buttons.map((b) => parseProposal(b.value));
    expect(proposals.map((p) => p?.focus)).toEqual(
      shown.map((s) => (s.about === 'Participation' ? 'team' : s.about?.toLowerCase())),
    );
    expect(proposals.map((p) => p?.text)).toEqual(shown.map((s) => s.suggestion));
    expect(new Set(proposals.map((p) => p?.text)).size).toBe(proposals.length);
    for (const p of proposals) expect(p?.team).toBe('platform-api');
  });

  it('adds no button when nothing is flagged', () => {
    const calm = Array.from({ length: 6 }, (_, i) => tally(i + 1, [4, 4, 4, 4, 4, 5]));
    expect(report(calm).blocks.some((b) => b.type === 'actions' && b.block_id === 'flag_actions')).toBe(
      false,
    );
  });
});

describe('More ideas', () => {
  const history = [
    ...Array.from({ length: 5 }, (_, i) => tally(i + 1, [4, 4, 4, 4, 4, 5])),
    tally(6, { energy: [2, 2, 2, 1, 2, 2] }, { rest: [4, 4, 4, 4, 4, 5] }),
  ];

  it('carries the flagged dimension and its kinds, and opens their whole playbook', () => {
    const section = report(history).blocks.find((b) => b.type === 'section' && b.accessory);
    const button = section?.type === 'section' ? section.accessory : undefined;
    expect(button).toMatchObject({ type: 'button', action_id: PLAYBOOK_ACTION });
    const ref = parsePlaybookValue((button as { value?: string }).value);
    expect(ref).toEqual({ d: 'energy', k: ['low', 'drop'] });
    const view = playbookView(ref as NonNullable<typeof ref>);
    assertWithinSlackLimits(view.blocks, 'modal');
    const text = JSON.stringify(view);
    for (const title of ['Energy is low', 'Energy dropped', 'Try this week', 'Ask in your next 1:1s']) {
      expect(text).toContain(title);
    }
  });

  it('refuses a value this app did not write', () => {
    for (const forged of [
      '',
      'energy',
      '{"d":"energy"}',
      '{"d":"energy","k":[]}',
      '{"d":"mood","k":["low"]}',
      '{"d":"energy","k":["shouting"]}',
      `{"d":"energy","k":[${'"low",'.repeat(300)}"low"]}`,
      42,
      null,
    ]) {
      expect(parsePlaybookValue(forged), String(forged)).toBeNull();
    }
  });
});

describe('a summary with more notes than one message holds', () => {
  it('is sent in parts of at most 50 blocks, every note exactly once, in order', () => {
    // 300 notes of 500 characters: a section each, more than one message can carry.
    const notes = Array.from({ length: 300 }, (_, i) =>
      `note-${String(i).padStart(3, '0')} `.padEnd(500, 'z'),
    );
    const history = Array.from({ length: 3 }, (_, i) => tally(i + 1, Array(300).fill(4), { invited: 300 }));
    const full = roundReport({ slug: 'huge', managerId: 'UM' }, history, asNotes(notes), () => 0.5);
    const parts = inParts(full);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(p.blocks.length).toBeLessThanOrEqual(50);
      assertWithinSlackLimits(p.blocks, 'message');
    }
    expect(parts.flatMap((p) => p.blocks)).toEqual(full.blocks);
    const text = parts.flatMap((p) => p.blocks.map(textOf)).join('\n');
    for (const note of notes) expect(text.split(note)).toHaveLength(2);
    expect(parts[1]?.text).toMatch(/continued, 2 of \d+/);
  });
});
