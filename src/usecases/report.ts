import { randomInt } from 'node:crypto';
import type { Services } from '../context.ts';
import { assessTeam, HISTORY_ROUNDS } from '../domain/health.ts';
import type { Note } from '../domain/notes.ts';
import { summarize } from '../domain/summary.ts';
import type { RoundTally } from '../domain/tally.ts';
import { reportActionBlocks, withBlocks } from '../messages/actions.ts';
import { insightBlocks } from '../messages/insights.ts';
import { type LiveCount, reportMessage } from '../messages/report.ts';
import { summaryMessage } from '../messages/summary.ts';
import type { Message } from '../messages/text.ts';
import type { Team } from '../store/teams.ts';
import { mayOnTeam, teamFor } from './access.ts';
import { openActions } from './actions.ts';
import type { Refused } from './teams.ts';

export const cryptoRandom = (): number => randomInt(0, 2 ** 32) / 2 ** 32;

/**
 * The team's latest closed round with its trend, flags and playbook: the manager's DM at close and
 * `/teamhealth report`. Null when no round has closed yet.
 */
export function teamReport(s: Services, team: Team): Message | null {
  const history = s.rounds.closedTallies(team.id, HISTORY_ROUNDS);
  const current = history.at(-1);
  if (!current) return null;
  return roundReport(team, history, s.notes.forRound(current.roundId), cryptoRandom);
}

/** The report of the last round of `history` (closed rounds, oldest first; not empty) and its notes. */
export function roundReport(
  team: { slug: string; managerId: string },
  history: readonly RoundTally[],
  notes: readonly Note[],
  random: () => number,
): Message {
  const current = history.at(-1) as RoundTally;
  const summary = summarize(team.slug, current, history.slice(0, -1), notes, random);
  const health = assessTeam(team, history);
  return summaryMessage(summary, insightBlocks(health), health.flags.length);
}

/**
 * How many answered a team's open round, for those the policy lets see it; null for anyone else or
 * when no round is open. Never scores: those wait for the round to close.
 */
export function liveCount(s: Services, team: Team, viewer: string): LiveCount | null {
  if (!mayOnTeam(s, 'see_live_count', team, viewer)) return null;
  const round = s.rounds.openFor(team.id);
  if (!round) return null;
  // The count of the last hourly refresh: a nudge to one person never shows whether they answered.
  const { invited } = s.rounds.counts(round.id);
  return { round: round.number, invited, answered: round.liveAnswered, minResponses: round.minResponses };
}

export type ReportResult = Refused | { ok: false; choose: string[] } | { ok: true; message: Message };

/** `/teamhealth report [team]`: without a name, the one team the caller may read, or which to pick. */
export function reportFor(s: Services, caller: string, slug: string | null): ReportResult {
  if (slug === null) {
    const readable = s.teams.forUser(caller).filter((t) => mayOnTeam(s, 'read_report', t, caller));
    const only = readable.length === 1 ? readable[0] : undefined;
    if (!only) return { ok: false, choose: readable.map((t) => t.slug) };
    slug = only.slug;
  }
  // An archived team's reports stay readable by its manager, its lead and admins.
  const found = teamFor(s, slug, caller, 'read_report');
  if (!found.ok) return found;
  const team = found.team;
  const open = s.rounds.openFor(team.id) !== undefined;
  const report = reportMessage(team.slug, teamReport(s, team), open, liveCount(s, team, caller));
  return { ok: true, message: withBlocks(report, reportActionBlocks(openActions(s, team))) };
}
