import type { Services } from '../context.ts';
import { DIMENSIONS, QUESTIONS } from '../domain/dimensions.ts';
import { describeInstant, nextSlot } from '../domain/schedule.ts';
import { formatMean } from '../domain/stats.ts';
import { digestMessage } from './blocks/digest.ts';
import { privacyMessage } from './blocks/help.ts';
import { flagTitle } from './blocks/insights.ts';
import { participation } from './blocks/summary.ts';
import { type Block, divider, header, section } from './blocks/text.ts';
import { canManage } from './commands/handle.ts';
import { healthOf, leadDigest } from './digest.ts';

/** Slack allows 100 blocks on the Home tab; the privacy statement and the digest need room at the end. */
const MAX_TEAM_BLOCKS = 30;

/**
 * The App Home tab: a member sees their teams and next check-in, a manager each team's last round and
 * flags, a lead their digest; everyone the privacy promise. Database reads only, no per-member Slack calls.
 */
export function homeView(s: Services, userId: string, now: Date): Record<string, unknown> {
  const blocks: Block[] = [header('Team health')];
  const teams = s.teams.forUser(userId);
  if (teams.length === 0) {
    blocks.push(section('You are not on any team yet. `/teamhealth help` shows how to set one up.'));
  }
  for (const team of teams.slice(0, MAX_TEAM_BLOCKS)) {
    const open = s.rounds.openFor(team.id);
    const schedule = { weekday: team.weekday, time: team.time, timezone: team.timezone };
    const lines = [
      `*${team.slug}* · ${
        open
          ? `check-in open until ${describeInstant(open.closesAt, team.timezone)}`
          : `next check-in ${describeInstant(nextSlot(schedule, now), team.timezone)}`
      }`,
    ];
    if (team.managerId === userId || (canManage(s, team, userId) && team.leadId !== userId)) {
      const h = healthOf(s, team);
      if (!h.latest) lines.push('No closed round yet.');
      else {
        lines.push(
          `Round ${h.latest.number}: ${participation(h.latest.responded, h.latest.invited)} answered`,
        );
        const means = h.means;
        if (means)
          lines.push(DIMENSIONS.map((d) => `${QUESTIONS[d].label} ${formatMean(means[d])}`).join(' · '));
        lines.push(h.flags.length === 0 ? 'No flags.' : h.flags.map(flagTitle).join('\n'));
        lines.push(`\`/teamhealth report ${team.slug}\` for the trend and what to try.`);
      }
    }
    blocks.push(section(lines.join('\n')));
  }
  if (s.teams.ledBy(userId).length > 0) {
    const digest = digestMessage(leadDigest(s, userId), s.config.minResponses);
    blocks.push(divider(), ...digest.blocks.slice(0, 100 - blocks.length - 4));
  }
  blocks.push(divider(), ...privacyMessage(s.config.minResponses).blocks);
  return { type: 'home', blocks: blocks.slice(0, 100) };
}
