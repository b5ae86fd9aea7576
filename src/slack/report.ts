import { randomInt } from 'node:crypto';
import type { Services } from '../context.ts';
import { assessTeam, HISTORY_ROUNDS } from '../domain/health.ts';
import { summarize } from '../domain/summary.ts';
import type { Team } from '../store/teams.ts';
import { insightBlocks } from './blocks/insights.ts';
import { summaryMessage } from './blocks/summary.ts';
import { context, type Message, section } from './blocks/text.ts';
import { liveCountLine } from './liveCount.ts';

export const cryptoRandom = (): number => randomInt(0, 2 ** 32) / 2 ** 32;

/**
 * The team's latest closed round with its trend, flags and playbook: the manager's DM at close and
 * `/teamhealth report`. Null when no round has closed yet.
 */
export function teamReport(s: Services, team: Team): Message | null {
  const history = s.rounds.closedTallies(team.id, HISTORY_ROUNDS);
  const current = history.at(-1);
  if (!current) return null;
  const summary = summarize(
    team.slug,
    current,
    history.slice(0, -1),
    s.rounds.notes(current.roundId),
    s.config.minResponses,
    cryptoRandom,
  );
  const health = assessTeam(team, history, s.config.minResponses);
  const message = summaryMessage(summary, insightBlocks(health));
  const flags =
    health.flags.length === 0
      ? 'no flags'
      : `${health.flags.length} flag${health.flags.length === 1 ? '' : 's'}`;
  return { text: `${message.text} (${flags})`, blocks: message.blocks.slice(0, 50) };
}

/** `/teamhealth report`: the latest closed round, and for a round still open only how many answered. */
export function reportMessage(s: Services, team: Team, viewer: string): Message {
  const live = liveCountLine(s, team, viewer);
  const open = s.rounds.openFor(team.id);
  const liveBlocks = live && open ? [context(`Round ${open.number} is open: ${live}.`)] : [];
  const report = teamReport(s, team);
  if (report)
    return { text: report.text, blocks: [...report.blocks.slice(0, 50 - liveBlocks.length), ...liveBlocks] };
  const text = `*${team.slug}* has no closed round yet.${
    open ? '' : ` \`/teamhealth checkin ${team.slug}\` opens one now.`
  }`;
  return { text, blocks: [section(text), ...liveBlocks] };
}
