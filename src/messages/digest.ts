import type { Digest } from '../domain/digest.ts';
import { DIMENSIONS, QUESTIONS } from '../domain/dimensions.ts';
import type { DigestActions } from '../domain/effect.ts';
import type { Means, TeamHealth } from '../domain/health.ts';
import { playbookFor } from '../domain/playbook.ts';
import { formatMean } from '../domain/stats.ts';
import { arrow } from '../domain/trend.ts';
import { digestActionLines } from './actions.ts';
import { flagGroups, groupTitle } from './insights.ts';
import { participation } from './summary.ts';
import {
  type Block,
  clip,
  context,
  divider,
  header,
  MAX_MESSAGE_BLOCKS,
  type Message,
  mention,
  section,
} from './text.ts';

/** Teams a digest spells out, one block each, next to its five other blocks (Slack allows 50). */
export const MAX_DIGEST_TEAMS = MAX_MESSAGE_BLOCKS - 5;

const scores = (means: Means, previous: Means | null): string =>
  DIMENSIONS.map((d) => {
    const a = arrow(means[d], previous?.[d] ?? null);
    return `${QUESTIONS[d].label} ${formatMean(means[d])}${a ? ` ${a}` : ''}`;
  }).join(' · ');

/** One block per team: who runs it, how many answered, the scores, its flags, its actions and what to ask. */
function teamBlock(h: TeamHealth, minResponses: number, actions?: DigestActions): Block {
  const latest = h.latest;
  const head = `*${h.team}* · manager ${mention(h.managerId)}`;
  if (!latest) return section(`${head}\nNo closed round yet.`);
  const lines = [
    `${head} · round ${latest.number}: ${participation(latest.responded, latest.invited)} answered`,
    h.means ? scores(h.means, h.previousMeans) : `Scores hidden: fewer than ${minResponses} answered.`,
    h.flags.length === 0 ? 'No flags.' : flagGroups(h.flags).map(groupTitle).join(' · '),
  ];
  const top = h.flags[0];
  // A question to coach the manager with, not an instruction to go around them.
  if (top) lines.push(`Ask ${mention(h.managerId)}: ${playbookFor(top).forLead[0] ?? ''}`);
  if (actions) lines.push(...digestActionLines(h.managerId, actions));
  return section(clip(lines.join('\n'), 3000));
}

/** `actions`: each team's open actions by slug (none shown when absent). */
export function digestMessage(
  d: Digest,
  minResponses: number,
  actions: ReadonlyMap<string, DigestActions> = new Map(),
): Message {
  if (d.teams.length === 0) {
    const text =
      'You lead no team, so there is no digest to show. A team’s manager can name you with `/teamhealth team lead <team> @you`.';
    return { text, blocks: [section(text)] };
  }
  const org = d.org.means
    ? `*Org* (${d.org.teams} shown team${d.org.teams === 1 ? '' : 's'}, ${d.org.responded} answers): ${DIMENSIONS.map(
        (dim) => `${QUESTIONS[dim].label} ${formatMean((d.org.means as Means)[dim])}`,
      ).join(' · ')}`
    : `*Org*: no team had enough answers to show (at least ${minResponses}).`;
  const blocks: Block[] = [header('Your weekly team-health digest'), section(org), divider()];
  for (const h of d.teams.slice(0, MAX_DIGEST_TEAMS))
    blocks.push(teamBlock(h, minResponses, actions.get(h.team)));
  if (d.teams.length > MAX_DIGEST_TEAMS) {
    blocks.push(
      context(
        `And ${d.teams.length - MAX_DIGEST_TEAMS} more teams with lower risk: ${d.teams
          .slice(MAX_DIGEST_TEAMS)
          .map((t) => t.team)
          .join(', ')
          .slice(0, 2500)}`,
      ),
    );
  }
  blocks.push(context('Riskiest teams first. Only teams with enough answers count in the Org line.'));
  const flagged = d.teams.filter((t) => t.flags.length > 0).length;
  const text = `Team-health digest: ${d.teams.length} team${d.teams.length === 1 ? '' : 's'}, ${flagged} with flags. ${org.replace(/\*/g, '')}`;
  return { text, blocks };
}
