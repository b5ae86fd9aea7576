import type { Services } from '../../context.ts';
import {
  describeInstant,
  describeSchedule,
  isValidTimezone,
  nextSlot,
  normalizeTimezone,
} from '../../domain/schedule.ts';
import { closeRound, openRound } from '../../jobs/rounds.ts';
import { scrubSoon } from '../../store/scrub.ts';
import type { Team } from '../../store/teams.ts';
import { helpMessage, privacyMessage } from '../blocks/help.ts';
import { escapeText, type Message, mention, section } from '../blocks/text.ts';
import { digestMessage } from '../digest.ts';
import { liveCountLine } from '../liveCount.ts';
import { reportMessage } from '../report.ts';
import type { Command } from './parse.ts';
import { archiveCommand, awayCommand, backCommand, deliveriesCommand } from './trust.ts';

/** The Slack calls a command may need beyond the database. */
export interface CommandSlack {
  usergroupMembers(groupId: string): Promise<string[]>;
}

const reply = (text: string): Message => ({ text, blocks: [section(text)] });

export const isAdmin = (s: Services, userId: string): boolean => s.config.adminUserIds.has(userId);

/** A team's manager, its lead and admins may change it, run its rounds and read its report. */
export const canManage = (s: Services, team: Team, userId: string): boolean =>
  team.managerId === userId || team.leadId === userId || isAdmin(s, userId);

const notAllowed = (team: Team): Message =>
  reply(
    `Only the manager of *${team.slug}*, its lead or an admin can do that. ` +
      'Team members see their own participation and `/teamhealth privacy`.',
  );

type Lookup = { team: Team } | { error: Message };

/** The team, if the caller may manage it; an archived team only where `archived` is 'allow' (reports). */
function managedTeam(
  s: Services,
  slug: string,
  caller: string,
  archived: 'allow' | 'refuse' = 'refuse',
): Lookup {
  const team = s.teams.bySlug(slug);
  if (!team)
    return { error: reply(`There is no team called *${slug}*. \`/teamhealth team list\` shows yours.`) };
  if (!canManage(s, team, caller)) return { error: notAllowed(team) };
  if (team.archived && archived === 'refuse') {
    return {
      error: reply(`*${team.slug}* is archived. \`/teamhealth team unarchive ${team.slug}\` brings it back.`),
    };
  }
  return { team };
}

/** The zone a schedule command names (or the current one when it names none), or the reply saying why not. */
function zoneOr(given: string | null, current: string): { zone: string } | { error: Message } {
  const zone = given === null ? current : normalizeTimezone(given);
  if (zone !== null && isValidTimezone(zone)) return { zone };
  return {
    error: reply(
      `${escapeText(given ?? '')} is not a time zone I know. Use an IANA name such as Europe/Berlin or America/New_York.`,
    ),
  };
}

const list = (ids: readonly string[]): string => ids.map(mention).join(', ');

function statusMessage(s: Services, caller: string, now: Date): Message {
  const teams = s.teams.forUser(caller);
  const lines =
    teams.length === 0
      ? [
          'You are not on any team yet. A manager can add you, or create your own with `/teamhealth team create <team>`.',
        ]
      : teams.map((t) => {
          const roles = [
            t.managerId === caller ? 'manager' : null,
            t.leadId === caller ? 'lead' : null,
            s.teams.isMember(t.id, caller) ? 'member' : null,
          ].filter(Boolean);
          const open = s.rounds.openFor(t.id);
          const schedule = { weekday: t.weekday, time: t.time, timezone: t.timezone };
          const live = open ? liveCountLine(s, t, caller) : null;
          const when = open
            ? `a check-in is open until ${describeInstant(open.closesAt, t.timezone)}${live ? ` (${live})` : ''}`
            : `next check-in ${describeInstant(nextSlot(schedule, now), t.timezone)}`;
          return `• *${t.slug}* (${roles.join(', ')}): ${when}`;
        });
  const help = helpMessage();
  return { text: lines.join('\n'), blocks: [section(lines.join('\n')), ...help.blocks] };
}

/** Runs one parsed command for the caller and returns what to tell them. */
export async function handleCommand(
  s: Services,
  slack: CommandSlack,
  command: Command,
  caller: string,
  now: Date,
): Promise<Message> {
  switch (command.kind) {
    case 'status':
      return statusMessage(s, caller, now);
    case 'help':
    case 'setup':
      // `setup` opens its modal in the listener; answering help here covers a request without a trigger.
      return helpMessage();
    case 'privacy':
      return privacyMessage(s.config.minResponses);
    case 'create': {
      const existing = s.teams.bySlug(command.team);
      if (existing) {
        return reply(
          `A team called *${command.team}* already exists${existing.archived ? ' (archived)' : ''}.`,
        );
      }
      const managerId = command.managerId ?? caller;
      const team = s.teams.create(command.team, managerId, s.config.defaultTimezone, now);
      const schedule = describeSchedule({ weekday: team.weekday, time: team.time, timezone: team.timezone });
      return reply(
        `Created *${team.slug}* with ${mention(managerId)} as manager. Check-ins: ${schedule}.\n` +
          `Next: \`/teamhealth team add ${team.slug} @people\`.`,
      );
    }
    case 'add': {
      const found = managedTeam(s, command.team, caller);
      if ('error' in found) return found.error;
      const fromGroups: string[] = [];
      for (const group of command.groupIds) {
        try {
          fromGroups.push(...(await slack.usergroupMembers(group)));
        } catch {
          return reply('I could not read that user group’s members. Check that it exists and try again.');
        }
      }
      const wanted = [...new Set([...command.userIds, ...fromGroups])].filter((u) =>
        /^[UW][A-Za-z0-9]+$/.test(u),
      );
      const added = s.teams.addMembers(found.team.id, wanted);
      // Adding someone Slack had said cannot be reached means: try them again.
      const retried = wanted.filter((u) => s.teams.clearUnreachable(u));
      const total = s.teams.members(found.team.id).length;
      const already = wanted.length - added.length;
      return reply(
        (added.length > 0
          ? `Added ${list(added)} to *${found.team.slug}*.`
          : `Nobody new added to *${found.team.slug}*.`) +
          (already > 0 ? ` ${already} already on the team.` : '') +
          (retried.length > 0
            ? ` ${list(retried)} ${retried.length === 1 ? 'was' : 'were'} unreachable in Slack before; the next check-in tries again.`
            : '') +
          ` It has ${total} member${total === 1 ? '' : 's'}.`,
      );
    }
    case 'remove': {
      const found = managedTeam(s, command.team, caller);
      if ('error' in found) return found.error;
      const removed = s.teams.removeMembers(found.team.id, command.userIds);
      return reply(
        removed.length > 0
          ? `Removed ${list(removed)} from *${found.team.slug}*.`
          : `None of them is on *${found.team.slug}*.`,
      );
    }
    case 'lead': {
      const found = managedTeam(s, command.team, caller);
      if ('error' in found) return found.error;
      s.teams.setLead(found.team.id, command.userId);
      return reply(
        `${mention(command.userId)} now leads *${found.team.slug}* and gets it in their weekly digest.`,
      );
    }
    case 'schedule': {
      const found = managedTeam(s, command.team, caller);
      if ('error' in found) return found.error;
      const zone = zoneOr(command.timezone, found.team.timezone);
      if ('error' in zone) return zone.error;
      s.teams.setSchedule(found.team.id, command.weekday, command.time, zone.zone, now);
      const schedule = { weekday: command.weekday, time: command.time, timezone: zone.zone };
      return reply(
        `*${found.team.slug}* checks in ${describeSchedule(schedule)}. Next: ${describeInstant(nextSlot(schedule, now), zone.zone)}.`,
      );
    }
    case 'list': {
      const teams = s.teams.forUser(caller);
      const archived = s.teams.archivedFor(caller);
      if (teams.length === 0 && archived.length === 0)
        return reply('You manage, lead or belong to no team yet.');
      const lines = teams.map((t) => {
        const n = s.teams.members(t.id).length;
        const schedule = describeSchedule({ weekday: t.weekday, time: t.time, timezone: t.timezone });
        const lead = t.leadId ? `, lead ${mention(t.leadId)}` : '';
        const gone = canManage(s, t, caller) ? s.teams.unreachableIn(t.id) : [];
        const unreachable =
          gone.length > 0
            ? ` (${list(gone.map((g) => g.userId))} cannot be reached in Slack and are skipped)`
            : '';
        return `• *${t.slug}*: manager ${mention(t.managerId)}${lead}, ${n} member${n === 1 ? '' : 's'}, ${schedule}${unreachable}`;
      });
      for (const t of archived)
        lines.push(`• *${t.slug}*: archived (\`/teamhealth team unarchive ${t.slug}\`)`);
      return reply(lines.join('\n'));
    }
    case 'checkin': {
      const found = managedTeam(s, command.team, caller);
      if ('error' in found) return found.error;
      const opened = openRound(s, found.team, now);
      if (!opened.ok) {
        return reply(
          opened.reason === 'already_open'
            ? `*${found.team.slug}* already has a check-in open. \`/teamhealth close ${found.team.slug}\` ends it.`
            : opened.reason === 'nobody_available'
              ? `Everyone on *${found.team.slug}* is away or cannot be reached in Slack, so no check-in was opened.`
              : `*${found.team.slug}* has no members yet: \`/teamhealth team add ${found.team.slug} @people\`.`,
        );
      }
      const { invited } = s.rounds.counts(opened.round.id);
      const skipped = s.teams.members(found.team.id).length - invited;
      return reply(
        `Round ${opened.round.number} of *${found.team.slug}* is open: ${invited} check-in${invited === 1 ? '' : 's'} on the way. ` +
          `It closes ${describeInstant(opened.round.closesAt, found.team.timezone)}.` +
          (skipped > 0
            ? ` ${skipped} member${skipped === 1 ? ' is' : 's are'} away or unreachable and not invited.`
            : ''),
      );
    }
    case 'close': {
      const found = managedTeam(s, command.team, caller);
      if ('error' in found) return found.error;
      const round = s.rounds.openFor(found.team.id);
      if (!round || !closeRound(s, round, now)) return reply(`*${found.team.slug}* has no check-in open.`);
      scrubSoon(s.db, s.log);
      return reply(
        `Closed round ${round.number} of *${found.team.slug}*. The summary is on its way to ${mention(found.team.managerId)}.`,
      );
    }
    case 'report': {
      const teams =
        command.team === null ? s.teams.forUser(caller).filter((t) => canManage(s, t, caller)) : null;
      const slug = command.team ?? (teams?.length === 1 ? teams[0]?.slug : undefined);
      if (slug === undefined) {
        return reply(
          teams && teams.length > 1
            ? `Which team? ${teams.map((t) => `\`/teamhealth report ${t.slug}\``).join(' · ')}`
            : 'You manage or lead no team, so there is no report to show. `/teamhealth privacy` says who sees what.',
        );
      }
      // An archived team's reports stay readable by its manager, its lead and admins.
      const found = managedTeam(s, slug, caller, 'allow');
      if ('error' in found) return found.error;
      return reportMessage(s, found.team, caller);
    }
    case 'digest':
      return digestMessage(s, caller);
    case 'digest_schedule': {
      if (s.teams.ledBy(caller).length === 0) {
        return reply('You lead no team, so there is no digest to schedule.');
      }
      const current = s.leads.ensure(caller, s.config.defaultTimezone, now);
      const zone = zoneOr(command.timezone, current.timezone);
      if ('error' in zone) return zone.error;
      s.leads.setSchedule(caller, command.weekday, command.time, zone.zone, now);
      const schedule = { weekday: command.weekday, time: command.time, timezone: zone.zone };
      return reply(
        `Your digest comes ${describeSchedule(schedule)}. Next: ${describeInstant(nextSlot(schedule, now), zone.zone)}.`,
      );
    }
    case 'archive':
      return archiveCommand(s, caller, command.team, command.archived, now);
    case 'away':
      return awayCommand(s, caller, command.weeks, now);
    case 'back':
      return backCommand(s, caller);
    case 'deliveries':
      return deliveriesCommand(s, caller);
    case 'forget': {
      const removed = s.teams.forget(caller);
      // Managing and leading are roles on a team, not records about the person: they stay.
      const managed = s.teams.forUser(caller).filter((t) => t.managerId === caller || t.leadId === caller);
      return reply(
        `Done: removed you from ${removed.memberships} team${removed.memberships === 1 ? '' : 's'} and removed your invites` +
          '. Your past answers stay, still anonymous: nothing ever linked them to you.' +
          (managed.length > 0
            ? ` You still manage or lead ${managed.map((t) => `*${t.slug}*`).join(', ')}: those roles belong to the teams and stay.`
            : ''),
      );
    }
  }
}
