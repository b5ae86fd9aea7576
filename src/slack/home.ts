import type { Services } from '../context.ts';
import { describeInstant, nextSlot } from '../domain/schedule.ts';
import { privacyMessage } from './blocks/help.ts';
import { participation } from './blocks/summary.ts';
import { type Block, divider, header, section } from './blocks/text.ts';
import { canManage } from './commands/handle.ts';

/** The App Home tab: one query per team, no per-member Slack calls. */
export function homeView(s: Services, userId: string, now: Date): Record<string, unknown> {
  const blocks: Block[] = [header('Team health')];
  const teams = s.teams.forUser(userId);
  if (teams.length === 0) {
    blocks.push(section('You are not on any team yet. `/teamhealth help` shows how to set one up.'));
  }
  for (const team of teams) {
    const open = s.rounds.openFor(team.id);
    const schedule = { weekday: team.weekday, time: team.time, timezone: team.timezone };
    const next = open
      ? `Check-in open until ${describeInstant(open.closesAt, team.timezone)}`
      : `Next check-in ${describeInstant(nextSlot(schedule, now), team.timezone)}`;
    let line = `*${team.slug}* · ${next}`;
    if (canManage(s, team, userId)) {
      const last = s.rounds.closedTallies(team.id, 1)[0];
      line += last
        ? `\nLast round: ${participation(last.responded, last.invited)} answered · \`/teamhealth report ${team.slug}\``
        : '\nNo closed round yet.';
    }
    blocks.push(section(line));
    if (blocks.length >= 90) break;
  }
  blocks.push(divider(), ...privacyMessage(s.config.minResponses).blocks);
  return { type: 'home', blocks };
}
