import type { ModalView, SectionBlock } from '@slack/types';
import { DIMENSIONS, type Dimension, QUESTIONS } from '../domain/dimensions.ts';
import type { Flag, FlagKind, Severity } from '../domain/flags.ts';
import type { TeamHealth } from '../domain/health.ts';
import { playbookFor } from '../domain/playbook.ts';
import { formatMean } from '../domain/stats.ts';
import type { Trend } from '../domain/trend.ts';
import { proposeButton } from './actions.ts';
import { type Block, clip, context, header, MAX_VIEW_BLOCKS, plain, section } from './text.ts';

const SEVERITY_ICON: Record<Flag['severity'], string> = {
  critical: ':red_circle:',
  warning: ':large_orange_circle:',
};

const KIND_WORDS: Record<FlagKind, string> = {
  low: 'low',
  drop: 'dropped',
  slide: 'sliding',
  low_share: 'many low answers',
  participation: 'falling',
};

const bullets = (items: readonly string[]): string => items.map((i) => `• ${i}`).join('\n');

const subject = (dimension: Dimension | null): string =>
  dimension === null ? 'Participation' : QUESTIONS[dimension].label;

export const flagTitle = (f: Flag): string =>
  `${SEVERITY_ICON[f.severity]} *${subject(f.dimension)}: ${KIND_WORDS[f.kind]}* (${f.severity})`;

/** The flags on one dimension (or on participation), worst first. */
export interface FlagGroup {
  dimension: Dimension | null;
  severity: Severity;
  flags: Flag[];
}

/**
 * Flags merged per dimension, the group with the worst flag first. `flags` must be sorted as
 * `compareFlags` sorts them (worst severity first), as every report's flags are.
 */
export function flagGroups(flags: readonly Flag[]): FlagGroup[] {
  const groups = new Map<Dimension | null, FlagGroup>();
  for (const f of flags) {
    const group = groups.get(f.dimension);
    if (group) group.flags.push(f);
    else groups.set(f.dimension, { dimension: f.dimension, severity: f.severity, flags: [f] });
  }
  return [...groups.values()];
}

/** "Energy: low, sliding (critical)", with the group's worst severity. */
export const groupTitle = (g: FlagGroup): string =>
  `${SEVERITY_ICON[g.severity]} *${subject(g.dimension)}: ${g.flags.map((f) => KIND_WORDS[f.kind]).join(', ')}* (${g.severity})`;

/** The action id of the button that opens a flag group's full playbook. */
export const PLAYBOOK_ACTION = 'playbook_open';

/** What the playbook button carries: the dimension (or participation) and the kinds of its flags. */
export interface PlaybookRef {
  d: Dimension | 'participation';
  k: FlagKind[];
}

const refOf = (g: FlagGroup): PlaybookRef => ({
  d: g.dimension ?? 'participation',
  k: g.flags.map((f) => f.kind),
});

/** One flagged dimension: what was flagged, why in one line, and one thing to try; the rest behind a button. */
function groupBlock(g: FlagGroup): SectionBlock {
  const top = g.flags[0] as Flag;
  const reasons = g.flags.map((f) => f.explanation).join('; ');
  const first = playbookFor(top).thisWeek[0] ?? '';
  return {
    ...section(clip(`${groupTitle(g)}\n${reasons}\n*Try this week:* ${first}`, 3000)),
    accessory: {
      type: 'button',
      action_id: PLAYBOOK_ACTION,
      text: plain('More ideas'),
      value: JSON.stringify(refOf(g)),
    },
  };
}

/** The trend over recent rounds: a sparkline per dimension; hidden rounds are gaps, never zeros. */
export function trendBlocks(trend: Trend): Block[] {
  if (trend.rounds.length < 2) return [];
  const width = Math.max(...DIMENSIONS.map((d) => QUESTIONS[d].label.length));
  const lines = DIMENSIONS.map((d) => {
    const t = trend.dimensions[d];
    const last = [...t.means].reverse().find((m) => m !== null);
    return `${QUESTIONS[d].label.padEnd(width)}  ${t.sparkline}  ${last == null ? '  –' : formatMean(last)}`;
  });
  const first = trend.rounds[0]?.number;
  const lastRound = trend.rounds.at(-1)?.number;
  const hidden = trend.rounds.filter((r) => !r.shown).length;
  return [
    section(`*Trend, rounds ${first}–${lastRound}*\n\`\`\`${lines.join('\n')}\`\`\``),
    ...(hidden > 0
      ? [context(`Gaps are rounds with too few answers to show (${hidden} of ${trend.rounds.length}).`)]
      : []),
  ];
}

/** The suggestion a flag group's section shows first, which its `We'll try` button proposes. */
const suggestionOf = (g: FlagGroup): string => {
  const p = playbookFor(g.flags[0] as Flag);
  return p.thisWeek[0] ?? p.title;
};

/**
 * The flags, one block per flagged dimension (at most five: four dimensions and participation), each
 * with its reasons and one suggestion; the full playbook opens from its button. With `team`, one
 * actions block holds a `We'll try: <Dimension>` button per flagged dimension that records its
 * suggestion as an action: one block for all of them keeps a summary on one screen.
 */
export function flagBlocks(flags: readonly Flag[], team?: string): Block[] {
  if (flags.length === 0) return [section('*Flags:* none this round. :large_green_circle:')];
  const groups = flagGroups(flags);
  const blocks: Block[] = [section(`*Flags (${flags.length})*`), ...groups.map(groupBlock)];
  if (team !== undefined) {
    blocks.push({
      type: 'actions',
      block_id: 'flag_actions',
      // A participation flag has no dimension: what the team tries about it is about the team.
      elements: groups.map((g, i) =>
        proposeButton(team, g.dimension ?? 'team', suggestionOf(g), i, subject(g.dimension)),
      ),
    });
  }
  return blocks;
}

/** The trend and the flags that follow a round summary in a report and in the manager's DM. */
export function insightBlocks(h: TeamHealth): Block[] {
  return [...trendBlocks(h.trend), ...flagBlocks(h.flags, h.team)];
}

/** The full playbook of a flagged dimension: what to try this week and what to ask in 1:1s, per flag. */
export function playbookView(ref: PlaybookRef): ModalView {
  const dimension = ref.d === 'participation' ? null : ref.d;
  const blocks: Block[] = [header(subject(dimension))];
  for (const kind of new Set(ref.k)) {
    const p = playbookFor({ kind, dimension });
    blocks.push(
      section(
        clip(
          `*${p.title}*\n*Try this week*\n${bullets(p.thisWeek)}\n*Ask in your next 1:1s*\n${bullets(p.oneOnOne)}`,
          3000,
        ),
      ),
    );
  }
  blocks.push(context('Ask open questions about the team, never about who answered what.'));
  return {
    type: 'modal',
    title: plain('What to try'),
    close: plain('Close'),
    blocks: blocks.slice(0, MAX_VIEW_BLOCKS),
  };
}
