import { randomInt } from 'node:crypto';
import type { Services } from '../context.ts';
import { summarize } from '../domain/summary.ts';
import type { Team } from '../store/teams.ts';
import { summaryMessage } from './blocks/summary.ts';
import { type Message, section } from './blocks/text.ts';

/** How many earlier rounds a report reads for its comparisons. */
export const REPORT_HISTORY = 8;

export const cryptoRandom = (): number => randomInt(0, 2 ** 32) / 2 ** 32;

/** The summary of the team's latest closed round, as its manager, lead or an admin sees it. */
export function buildSummary(s: Services, team: Team) {
  const history = s.rounds.closedTallies(team.id, REPORT_HISTORY + 1);
  const current = history.at(-1);
  if (!current) return null;
  return summarize(
    team.slug,
    current,
    history.slice(0, -1),
    s.rounds.notes(current.roundId),
    s.config.minResponses,
    cryptoRandom,
  );
}

export function reportMessage(s: Services, team: Team): Message {
  const summary = buildSummary(s, team);
  if (!summary) {
    const text = `*${team.slug}* has no closed round yet. \`/teamhealth checkin ${team.slug}\` opens one now.`;
    return { text, blocks: [section(text)] };
  }
  return summaryMessage(summary);
}
