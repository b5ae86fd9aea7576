import { DIMENSIONS, QUESTIONS } from '../domain/dimensions.ts';
import type { Flag } from '../domain/flags.ts';
import type { TeamHealth } from '../domain/health.ts';
import { playbookFor } from '../domain/playbook.ts';
import { formatMean } from '../domain/stats.ts';
import type { Trend } from '../domain/trend.ts';
import { proposeButton } from './actions.ts';
import { type Block, clip, context, section } from './text.ts';

/** How many flags a message spells out with their playbook; the rest are named in one line. */
export const MAX_FLAGS_SHOWN = 5;

const SEVERITY_ICON: Record<Flag['severity'], string> = {
  critical: ':red_circle:',
  warning: ':large_orange_circle:',
};

const bullets = (items: readonly string[]): string => items.map((i) => `• ${i}`).join('\n');

export const flagTitle = (f: Flag): string => {
  const what = f.dimension === null ? 'Participation' : QUESTIONS[f.dimension].label;
  const kind = {
    low: 'low',
    drop: 'dropped',
    slide: 'sliding',
    low_share: 'many low answers',
    participation: 'falling',
  }[f.kind];
  return `${SEVERITY_ICON[f.severity]} *${what}: ${kind}* (${f.severity})`;
};

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

/**
 * Each flag with its evidence and its playbook for the manager: what to try, what to ask; with `team`,
 * a `We'll try this` button that records the first thing to try as an action.
 */
export function flagBlocks(flags: readonly Flag[], team?: string): Block[] {
  if (flags.length === 0) return [section('*Flags:* none this round. :large_green_circle:')];
  const blocks: Block[] = [section(`*Flags (${flags.length})*`)];
  for (const f of flags.slice(0, MAX_FLAGS_SHOWN)) {
    const p = playbookFor(f);
    const text = `${flagTitle(f)}\n${f.explanation}\n*Try this week*\n${bullets(p.thisWeek)}\n*Ask in your next 1:1s*\n${bullets(p.oneOnOne)}`;
    const proposal =
      team === undefined
        ? {}
        : { accessory: proposeButton(team, f.dimension ?? 'team', p.thisWeek[0] ?? p.title) };
    blocks.push({ ...section(clip(text, 3000)), ...proposal });
  }
  if (flags.length > MAX_FLAGS_SHOWN) {
    blocks.push(
      context(
        `And ${flags.length - MAX_FLAGS_SHOWN} more: ${flags.slice(MAX_FLAGS_SHOWN).map(flagTitle).join(', ')}`,
      ),
    );
  }
  return blocks;
}

/** The trend and the flags that follow a round summary in a report and in the manager's DM. */
export function insightBlocks(h: TeamHealth): Block[] {
  return [...trendBlocks(h.trend), ...flagBlocks(h.flags, h.team)];
}
