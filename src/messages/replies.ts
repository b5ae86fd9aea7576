import { type Refusal, whoMay } from '../domain/access.ts';
import { describeDelivery } from '../domain/delivery.ts';
import { describeSchedule, type Schedule } from '../domain/schedule.ts';
import { helpMessage } from './help.ts';
import { type LiveCount, liveCountLine } from './report.ts';
import { escapeText, localDate, type Message, mention, reply, section } from './text.ts';

// The answers to slash commands, each a pure function of what the use case decided.

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
const list = (ids: readonly string[]): string => ids.map(mention).join(', ');

export function refusalMessage(r: Refusal): Message {
  switch (r.kind) {
    case 'no_team':
      return reply(`There is no team called *${r.slug}*. \`/teamhealth team list\` shows yours.`);
    case 'archived':
      return reply(`*${r.slug}* is archived. \`/teamhealth team unarchive ${r.slug}\` brings it back.`);
    case 'not_allowed': {
      const who = whoMay(r.action, `*${r.slug}*`);
      return r.action === 'archive'
        ? reply(`Only ${who} can archive it or bring it back.`)
        : reply(
            `Only ${who} can do that. Team members see their own participation and \`/teamhealth privacy\`.`,
          );
    }
  }
}

export const badZoneMessage = (given: string): Message =>
  reply(
    `${escapeText(given)} is not a time zone I know. Use an IANA name such as Europe/Berlin or America/New_York.`,
  );

export interface OverviewTeam {
  slug: string;
  timezone: string;
  roles: readonly string[];
  open: { closesAt: Date; live: LiveCount | null } | null;
  next: Date;
}

/** Bare `/teamhealth`: the caller's teams and their next check-in, then the help. */
export function overviewMessage(teams: readonly OverviewTeam[]): Message {
  const lines =
    teams.length === 0
      ? [
          'You are not on any team yet. A manager can add you, or create your own with `/teamhealth team create <team>`.',
        ]
      : teams.map((t) => {
          const live = t.open?.live ? ` (${liveCountLine(t.open.live)})` : '';
          const when = t.open
            ? `a check-in is open until ${localDate(t.open.closesAt, t.timezone)}${live}`
            : `next check-in ${localDate(t.next, t.timezone)}`;
          return `• *${t.slug}* (${t.roles.join(', ')}): ${when}`;
        });
  return { text: lines.join('\n'), blocks: [section(lines.join('\n')), ...helpMessage().blocks] };
}

export const teamExistsMessage = (slug: string, archived: boolean): Message =>
  reply(`A team called *${slug}* already exists${archived ? ' (archived)' : ''}.`);

export const otherManagerRefusedMessage = (slug: string): Message =>
  reply(
    'Only an admin can make someone else the manager of a team, so nothing was created. ' +
      `\`/teamhealth team create ${slug}\` makes you its manager.`,
  );

export const teamCreatedMessage = (slug: string, managerId: string, schedule: Schedule): Message =>
  reply(
    `Created *${slug}* with ${mention(managerId)} as manager. Check-ins: ${describeSchedule(schedule)}.\n` +
      `Next: \`/teamhealth team add ${slug} @people\`.`,
  );

export const groupUnreadableMessage = (): Message =>
  reply('I could not read that user group’s members. Check that it exists and try again.');

export function membersAddedMessage(a: {
  slug: string;
  added: readonly string[];
  asked: readonly string[];
  already: readonly string[];
  alreadyAsked: readonly string[];
  retried: readonly string[];
  total: number;
  /** People asked to join the team (by anyone) who have not yet. */
  pendingTotal: number;
}): Message {
  const was = (ids: readonly string[]) => (ids.length === 1 ? 'was' : 'were');
  const news = [
    ...(a.added.length > 0 ? [`Added ${list(a.added)} to *${a.slug}*.`] : []),
    ...(a.asked.length > 0
      ? [
          `Asked ${list(a.asked)} to join *${a.slug}*: each gets a DM saying who reads the results, and ` +
            'takes part from the next check-in once they press Join. Until then they are not invited or counted.',
        ]
      : []),
  ];
  return reply(
    (news.length > 0 ? news.join(' ') : `Nobody new added to *${a.slug}*.`) +
      (a.already.length > 0 ? ` ${a.already.length} already on the team.` : '') +
      (a.alreadyAsked.length > 0
        ? ` ${list(a.alreadyAsked)} ${was(a.alreadyAsked)} asked before and ${a.alreadyAsked.length === 1 ? 'has' : 'have'} not joined yet.`
        : '') +
      (a.retried.length > 0
        ? ` ${list(a.retried)} ${was(a.retried)} unreachable in Slack before; the next check-in tries again.`
        : '') +
      ` It has ${plural(a.total, 'member')}${a.pendingTotal > 0 ? ` and ${a.pendingTotal} asked to join` : ''}.`,
  );
}

export const membersRemovedMessage = (slug: string, removed: readonly string[]): Message =>
  reply(removed.length > 0 ? `Removed ${list(removed)} from *${slug}*.` : `None of them is on *${slug}*.`);

export const leadSetMessage = (slug: string, leadId: string): Message =>
  reply(`${mention(leadId)} now leads *${slug}* and gets it in their weekly digest.`);

export const scheduleSetMessage = (slug: string, schedule: Schedule, next: Date): Message =>
  reply(`*${slug}* checks in ${describeSchedule(schedule)}. Next: ${localDate(next, schedule.timezone)}.`);

export interface ListedTeamLine {
  slug: string;
  managerId: string;
  leadId: string | null;
  memberCount: number;
  schedule: Schedule;
  unreachable: readonly string[];
  /** Asked to join and not joined yet: shown apart, as they are not members. */
  pending: readonly string[];
}

export function teamListMessage(active: readonly ListedTeamLine[], archived: readonly string[]): Message {
  if (active.length === 0 && archived.length === 0)
    return reply('You manage, lead or belong to no team yet.');
  const lines = active.map((t) => {
    const lead = t.leadId ? `, lead ${mention(t.leadId)}` : '';
    const unreachable =
      t.unreachable.length > 0 ? ` (${list(t.unreachable)} cannot be reached in Slack and are skipped)` : '';
    const pending =
      t.pending.length > 0 ? `\n   asked to join, not counted until they press Join: ${list(t.pending)}` : '';
    return `• *${t.slug}*: manager ${mention(t.managerId)}${lead}, ${plural(t.memberCount, 'member')}, ${describeSchedule(t.schedule)}${unreachable}${pending}`;
  });
  for (const slug of archived) lines.push(`• *${slug}*: archived (\`/teamhealth team unarchive ${slug}\`)`);
  return reply(lines.join('\n'));
}

export function roundNotOpenedMessage(
  slug: string,
  reason: 'already_open' | 'no_members' | 'nobody_available',
): Message {
  return reply(
    reason === 'already_open'
      ? `*${slug}* already has a check-in open. \`/teamhealth close ${slug}\` ends it.`
      : reason === 'nobody_available'
        ? `Everyone on *${slug}* is away or cannot be reached in Slack, so no check-in was opened.`
        : `*${slug}* has no members yet: \`/teamhealth team add ${slug} @people\`. People you add take part ` +
          'once they press Join in the DM they get (`/teamhealth team list` shows who has not yet).',
  );
}

export function roundOpenedMessage(o: {
  slug: string;
  number: number;
  invited: number;
  skipped: number;
  closesAt: Date;
  timezone: string;
}): Message {
  return reply(
    `Round ${o.number} of *${o.slug}* is open: ${plural(o.invited, 'check-in')} on the way. ` +
      `It closes ${localDate(o.closesAt, o.timezone)}.` +
      (o.skipped > 0
        ? ` ${o.skipped} member${o.skipped === 1 ? ' is' : 's are'} away or unreachable and not invited.`
        : ''),
  );
}

export const noRoundOpenMessage = (slug: string): Message => reply(`*${slug}* has no check-in open.`);

export const roundClosedMessage = (slug: string, number: number, managerId: string): Message =>
  reply(`Closed round ${number} of *${slug}*. The summary is on its way to ${mention(managerId)}.`);

export const chooseReportMessage = (slugs: readonly string[]): Message =>
  reply(
    slugs.length > 1
      ? `Which team? ${slugs.map((slug) => `\`/teamhealth report ${slug}\``).join(' · ')}`
      : 'You manage or lead no team, so there is no report to show. `/teamhealth privacy` says who sees what.',
  );

export const noDigestToScheduleMessage = (): Message =>
  reply('You lead no team, so there is no digest to schedule.');

export const digestScheduledMessage = (schedule: Schedule, next: Date): Message =>
  reply(`Your digest comes ${describeSchedule(schedule)}. Next: ${localDate(next, schedule.timezone)}.`);

export function forgottenMessage(memberships: number, stillRuns: readonly string[]): Message {
  return reply(
    `Done: removed you from ${plural(memberships, 'team')} and removed your invites` +
      '. Your past answers stay, still anonymous: nothing ever linked them to you.' +
      (stillRuns.length > 0
        ? ` You still manage or lead ${stillRuns.map((slug) => `*${slug}*`).join(', ')}: those roles belong to the teams and stay.`
        : ''),
  );
}

export function awayReply(until: Date, skipped: readonly string[], onATeam: boolean): Message {
  const lines = [
    `You're marked away until ${localDate(until)}: check-ins that open before then skip you, ` +
      'with no reminder, and you are not counted as someone who did not answer.',
  ];
  if (skipped.length > 0) {
    lines.push(
      `The open check-in of ${skipped.map((t) => `*${escapeText(t)}*`).join(', ')} no longer counts you.`,
    );
  }
  if (!onATeam) lines.push('You are not on any team right now, so there was nothing to skip yet.');
  lines.push('Back early? `/teamhealth away off`.');
  return reply(lines.join('\n'));
}

export const backMessage = (wasAway: boolean): Message =>
  reply(
    wasAway
      ? 'Welcome back: the next check-in that opens includes you. (A check-in you skipped stays skipped.)'
      : 'You were not marked away, so nothing changed.',
  );

export interface DeliveryFigures {
  counts: { pending: number; sending: number; failed: number };
  unreachable: number;
  failed: ReadonlyArray<{ key: string; method: string; error: string | null; attempts: number }>;
}

/** `/teamhealth status` for admins: counts and the latest failures, never a message's content. */
export function deliveriesMessage(d: DeliveryFigures | null): Message {
  if (!d) {
    return reply('`/teamhealth status` is for admins (ADMIN_USER_IDS). `/teamhealth` shows your own status.');
  }
  const c = d.counts;
  const lines = [
    '*Deliveries*',
    `• ${c.pending} pending · ${c.sending} in flight · ${c.failed} failed for good`,
    `• ${d.unreachable} ${d.unreachable === 1 ? 'person' : 'people'} Slack says cannot be reached (deactivated or unknown): not invited to new rounds until a manager adds them again`,
  ];
  if (d.failed.length > 0) {
    lines.push('*Latest failures* (delivery · Slack method · error · attempts)');
    for (const f of d.failed) {
      lines.push(
        `• \`${escapeText(describeDelivery(f.key))}\` · ${escapeText(f.method)} · ${escapeText(f.error ?? 'unknown')} · ${f.attempts}`,
      );
    }
  }
  return reply(lines.join('\n'));
}

export function archivedMessage(
  slug: string,
  archived: boolean,
  closedRound: boolean,
  managerId: string,
): Message {
  if (!archived) return reply(`*${slug}* is back: check-ins resume on its schedule.`);
  return reply(
    `Archived *${slug}*: no more check-ins.` +
      (closedRound ? ` Its open check-in was closed and the summary sent to ${mention(managerId)}.` : '') +
      ` Its reports stay readable by its manager, its lead and admins (\`/teamhealth report ${slug}\`);` +
      ` \`/teamhealth team unarchive ${slug}\` brings it back.`,
  );
}

export const archiveUnchangedMessage = (slug: string, archived: boolean): Message =>
  reply(`*${slug}* is ${archived ? 'already archived' : 'not archived'}.`);
