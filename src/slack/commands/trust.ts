import type { Services } from '../../context.ts';
import { awayEnd, markAway } from '../../jobs/away.ts';
import { describeKey } from '../../jobs/outbox.ts';
import { closeRound } from '../../jobs/rounds.ts';
import { scrubSoon } from '../../store/scrub.ts';
import { localDate } from '../blocks/checkin.ts';
import { escapeText, type Message, mention, section } from '../blocks/text.ts';

// Commands of issue 4 (away, delivery status, archive); handle.ts dispatches to them.

const reply = (text: string): Message => ({ text, blocks: [section(text)] });

/** How many of the latest failed deliveries `/teamhealth status` lists. */
export const STATUS_FAILURES = 10;

export function awayCommand(s: Services, caller: string, weeks: number, now: Date): Message {
  const { until, skipped } = markAway(s, caller, awayEnd(now, weeks), now);
  const teams = s.teams.forUser(caller).filter((t) => s.teams.isMember(t.id, caller));
  const lines = [
    `You're marked away until ${localDate(until)}: check-ins that open before then skip you, ` +
      'with no reminder, and you are not counted as someone who did not answer.',
  ];
  if (skipped.length > 0) {
    lines.push(
      `The open check-in of ${skipped.map((t) => `*${escapeText(t)}*`).join(', ')} no longer counts you.`,
    );
  }
  if (teams.length === 0) lines.push('You are not on any team right now, so there was nothing to skip yet.');
  lines.push('Back early? `/teamhealth away off`.');
  return reply(lines.join('\n'));
}

export function backCommand(s: Services, caller: string): Message {
  return reply(
    s.teams.clearAway(caller)
      ? 'Welcome back: the next check-in that opens includes you. (A check-in you skipped stays skipped.)'
      : 'You were not marked away, so nothing changed.',
  );
}

/** The outbox at a glance, for admins: counts and the latest failures, never a message's content. */
export function deliveriesCommand(s: Services, caller: string): Message {
  if (!s.config.adminUserIds.has(caller)) {
    return reply('`/teamhealth status` is for admins (ADMIN_USER_IDS). `/teamhealth` shows your own status.');
  }
  const c = s.outbox.counts();
  const unreachable = s.teams.unreachableCount();
  const lines = [
    '*Deliveries*',
    `• ${c.pending} pending · ${c.sending} in flight · ${c.failed} failed for good`,
    `• ${unreachable} ${unreachable === 1 ? 'person' : 'people'} Slack says cannot be reached (deactivated or unknown): not invited to new rounds until a manager adds them again`,
  ];
  const failed = s.outbox.failed(STATUS_FAILURES);
  if (failed.length > 0) {
    lines.push('*Latest failures* (delivery · Slack method · error · attempts)');
    for (const f of failed) {
      lines.push(
        `• \`${escapeText(describeKey(f.key))}\` · ${escapeText(f.method)} · ${escapeText(f.error ?? 'unknown')} · ${f.attempts}`,
      );
    }
  }
  return reply(lines.join('\n'));
}

/** Archives or brings back a team; its manager or an admin may. */
export function archiveCommand(
  s: Services,
  caller: string,
  slug: string,
  archived: boolean,
  now: Date,
): Message {
  const team = s.teams.bySlug(slug);
  if (!team) return reply(`There is no team called *${slug}*. \`/teamhealth team list\` shows yours.`);
  if (team.managerId !== caller && !s.config.adminUserIds.has(caller)) {
    return reply(`Only the manager of *${team.slug}* or an admin can archive it or bring it back.`);
  }
  if (team.archived === archived) {
    return reply(`*${team.slug}* is ${archived ? 'already archived' : 'not archived'}.`);
  }
  if (!archived) {
    s.db.transaction(() => {
      s.teams.setArchived(team.id, false);
      // Check-in times that passed while it was archived do not fire: the schedule starts again now.
      s.teams.setSchedule(team.id, team.weekday, team.time, team.timezone, now);
    })();
    return reply(`*${team.slug}* is back: check-ins resume on its schedule.`);
  }
  const open = s.rounds.openFor(team.id);
  const closed = s.db.transaction((): boolean => {
    s.teams.setArchived(team.id, true);
    return open !== undefined && closeRound(s, open, now);
  })();
  if (closed) scrubSoon(s.db, s.log);
  return reply(
    `Archived *${team.slug}*: no more check-ins.` +
      (closed ? ` Its open check-in was closed and the summary sent to ${mention(team.managerId)}.` : '') +
      ` Its reports stay readable by its manager, its lead and admins (\`/teamhealth report ${team.slug}\`);` +
      ` \`/teamhealth team unarchive ${team.slug}\` brings it back.`,
  );
}
