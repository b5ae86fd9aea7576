import type { HomeView } from '@slack/types';
import type { Digest } from '../domain/digest.ts';
import { DIMENSIONS, QUESTIONS } from '../domain/dimensions.ts';
import type { TeamHealth } from '../domain/health.ts';
import { formatMean } from '../domain/stats.ts';
import { digestMessage } from './digest.ts';
import { privacyMessage } from './help.ts';
import { flagTitle } from './insights.ts';
import { participation } from './summary.ts';
import { type Block, divider, header, localDate, MAX_VIEW_BLOCKS, section } from './text.ts';

/** Slack allows 100 blocks on the Home tab; the privacy statement and the digest need room at the end. */
const MAX_TEAM_BLOCKS = 30;

export interface HomeTeam {
  slug: string;
  timezone: string;
  open: { closesAt: Date } | null;
  next: Date;
  health: TeamHealth | null;
}

export interface HomeModel {
  teams: readonly HomeTeam[];
  digest: Digest | null;
  minResponses: number;
}

function healthLines(slug: string, h: TeamHealth): string[] {
  if (!h.latest) return ['No closed round yet.'];
  const lines = [`Round ${h.latest.number}: ${participation(h.latest.responded, h.latest.invited)} answered`];
  const means = h.means;
  if (means) lines.push(DIMENSIONS.map((d) => `${QUESTIONS[d].label} ${formatMean(means[d])}`).join(' · '));
  lines.push(h.flags.length === 0 ? 'No flags.' : h.flags.map(flagTitle).join('\n'));
  lines.push(`\`/teamhealth report ${slug}\` for the trend and what to try.`);
  return lines;
}

/**
 * The App Home tab: a member sees their teams and next check-in, a manager each team's last round and
 * flags, a lead their digest; everyone the privacy promise.
 */
export function homeView(m: HomeModel): HomeView {
  const blocks: Block[] = [header('Team health')];
  if (m.teams.length === 0) {
    blocks.push(section('You are not on any team yet. `/teamhealth help` shows how to set one up.'));
  }
  for (const team of m.teams.slice(0, MAX_TEAM_BLOCKS)) {
    const when = team.open
      ? `check-in open until ${localDate(team.open.closesAt, team.timezone)}`
      : `next check-in ${localDate(team.next, team.timezone)}`;
    const lines = [`*${team.slug}* · ${when}`, ...(team.health ? healthLines(team.slug, team.health) : [])];
    blocks.push(section(lines.join('\n')));
  }
  if (m.digest) {
    const digest = digestMessage(m.digest, m.minResponses);
    blocks.push(divider(), ...digest.blocks.slice(0, MAX_VIEW_BLOCKS - blocks.length - 4));
  }
  blocks.push(divider(), ...privacyMessage(m.minResponses).blocks);
  return { type: 'home', blocks: blocks.slice(0, MAX_VIEW_BLOCKS) };
}
