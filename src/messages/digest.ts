import type { Digest } from '../domain/digest.ts';
import { DIMENSIONS, QUESTIONS } from '../domain/dimensions.ts';
import type { DigestActions } from '../domain/effect.ts';
import type { Means, TeamHealth } from '../domain/health.ts';
import { playbookFor } from '../domain/playbook.ts';
import { formatMean } from '../domain/stats.ts';
import { arrow } from '../domain/trend.ts';
import { digestActionBlocks } from './actions.ts';
import { flagTitle } from './insights.ts';
import { participation } from './summary.ts';
import { type Block, clip, context, divider, header, type Message, mention, section } from './text.ts';

/** Teams a digest spells out; Slack allows 50 blocks a message and each team takes up to three. */
export const MAX_DIGEST_TEAMS = 14;

const scores = (means: Means, previous: Means | null): string =>
  DIMENSIONS.map((d) => {
    const a = arrow(means[d], previous?.[d] ?? null);
    return `${QUESTIONS[d].label} ${formatMean(means[d])}${a ? ` ${a}` : ''}`;
  }).join(' · ');

function teamBlocks(h: TeamHealth, minResponses: number, actions?: DigestActions): Block[] {
  const latest = h.latest;
  const head = `*${h.team}* · manager ${mention(h.managerId)}`;
  if (!latest) return [section(`${head}\nNo closed round yet.`)];
  const lines = [
    head,
    `Participation ${participation(latest.responded, latest.invited)} (round ${latest.number})`,
  ];
  if (h.means) lines.push(scores(h.means, h.previousMeans));
  else lines.push(`Scores hidden: fewer than ${minResponses} answered.`);
  if (h.flags.length === 0) lines.push('No flags.');
  else lines.push(h.flags.map(flagTitle).join('\n'));
  const blocks: Block[] = [section(clip(lines.join('\n'), 3000))];
  const top = h.flags[0];
  if (top) {
    // Questions to coach the manager with, not instructions to go around them.
    const questions = playbookFor(top)
      .forLead.map((q) => `• ${q}`)
      .join('\n');
    blocks.push(context(clip(`Ask ${mention(h.managerId)}:\n${questions}`, 3000)));
  }
  if (actions) blocks.push(...digestActionBlocks(h.managerId, actions));
  return blocks;
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
  for (const h of d.teams.slice(0, MAX_DIGEST_TEAMS)) {
    blocks.push(...teamBlocks(h, minResponses, actions.get(h.team)));
  }
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
