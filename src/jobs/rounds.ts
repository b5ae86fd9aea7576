import type { Services } from '../context.ts';
import { lastSlot } from '../domain/schedule.ts';
import { closedMessage, inviteMessage, recordedMessage, reminderMessage } from '../slack/blocks/checkin.ts';
import { summaryMessage } from '../slack/blocks/summary.ts';
import { buildSummary } from '../slack/report.ts';
import type { Round } from '../store/rounds.ts';
import type { Team } from '../store/teams.ts';

const HOUR = 3_600_000;

export type OpenResult = { ok: true; round: Round } | { ok: false; reason: 'already_open' | 'no_members' };

/**
 * Opens a round for the team: snapshots its members as invitees and queues one check-in DM each,
 * all in one transaction, so a crash leaves either the whole round or nothing.
 */
export function openRound(s: Services, team: Team, now: Date, slot: Date | null = null): OpenResult {
  const result = s.db.transaction((): OpenResult => {
    if (s.rounds.openFor(team.id)) return { ok: false, reason: 'already_open' };
    const invitees = s.teams.members(team.id);
    if (invitees.length === 0) return { ok: false, reason: 'no_members' };
    const round = s.rounds.insert(
      team.id,
      slot === null ? null : slot.getTime(),
      now,
      new Date(now.getTime() + s.config.reminderHours * HOUR),
      new Date(now.getTime() + s.config.windowHours * HOUR),
      invitees,
    );
    const message = inviteMessage(team.slug, round.id, round.closesAt);
    for (const userId of invitees) {
      s.outbox.enqueue(
        `invite:${round.id}:${userId}`,
        'chat.postMessage',
        { channel: userId, ...message },
        {
          kind: 'invite',
          roundId: round.id,
          userId,
        },
      );
    }
    return { ok: true, round };
  })();
  if (result.ok) {
    s.log.info(
      `round ${result.round.id} opened for team ${team.id} with ${s.rounds.counts(result.round.id).invited} invites`,
    );
    s.kick();
  }
  return result;
}

/** Queues the one reminder for everyone who has not answered yet. */
export function remindRound(s: Services, round: Round): void {
  const team = s.teams.byId(round.teamId);
  if (!team) return;
  s.db.transaction(() => {
    if (!s.rounds.markReminded(round.id)) return;
    const message = reminderMessage(team.slug, round.id);
    for (const invite of s.rounds.invites(round.id)) {
      if (invite.answered) continue;
      s.outbox.enqueue(`reminder:${round.id}:${invite.userId}`, 'chat.postMessage', {
        channel: invite.dmChannel ?? invite.userId,
        ...message,
      });
    }
  })();
  s.kick();
}

/**
 * Closes the round: unanswered DMs say it has closed, and the manager gets the summary.
 * Returns false when the round was already closed.
 */
export function closeRound(s: Services, round: Round, now: Date): boolean {
  const team = s.teams.byId(round.teamId);
  if (!team) return false;
  const closed = s.db.transaction((): boolean => {
    if (!s.rounds.markClosed(round.id, now)) return false;
    const closedNotice = closedMessage(team.slug);
    for (const invite of s.rounds.invites(round.id)) {
      if (invite.answered || invite.dmChannel === null || invite.dmTs === null) continue;
      s.outbox.enqueue(`closed:${round.id}:${invite.userId}`, 'chat.update', {
        channel: invite.dmChannel,
        ts: invite.dmTs,
        ...closedNotice,
      });
    }
    const summary = buildSummary(s, team);
    if (summary)
      s.outbox.enqueue(`summary:${round.id}`, 'chat.postMessage', {
        channel: team.managerId,
        ...summaryMessage(summary),
      });
    return true;
  })();
  if (closed) {
    s.log.info(`round ${round.id} of team ${team.id} closed`);
    s.kick();
  }
  return closed;
}

/** After an answer is stored: the invite DM now says it was recorded (no answers repeated). */
export function queueRecordedNotice(s: Services, team: Team, roundId: number, userId: string): void {
  const invite = s.rounds.invite(roundId, userId);
  if (!invite?.dmChannel || !invite.dmTs) return;
  s.outbox.enqueue(`recorded:${roundId}:${userId}`, 'chat.update', {
    channel: invite.dmChannel,
    ts: invite.dmTs,
    ...recordedMessage(team.slug),
  });
  s.kick();
}

/** The scheduled slot a team's round should open for now, if any is due. */
export function dueSlot(s: Services, team: Team, now: Date): Date | null {
  const slot = lastSlot({ weekday: team.weekday, time: team.time, timezone: team.timezone }, now);
  // Times before the team or its schedule existed never fire; a slot is caught up only inside its window.
  if (slot.getTime() < team.scheduleSince) return null;
  if (now.getTime() >= slot.getTime() + s.config.windowHours * HOUR) return null;
  if (s.rounds.bySlot(team.id, slot.getTime())) return null;
  // A round that was open at the slot time (opened by hand) stands in for it.
  const latest = s.rounds.latest(team.id);
  if (latest && (latest.closedAt === null || latest.closedAt.getTime() > slot.getTime())) return null;
  return slot;
}

export interface TickResult {
  opened: number;
  reminded: number;
  closed: number;
}

/**
 * Does whatever is due at `now`, and nothing twice: closes rounds past their window, reminds,
 * then opens scheduled rounds. Safe to call every minute, twice, or after a long outage.
 */
export function tick(s: Services, now: Date): TickResult {
  const result: TickResult = { opened: 0, reminded: 0, closed: 0 };
  for (const round of s.rounds.dueClose(now)) if (closeRound(s, round, now)) result.closed++;
  for (const round of s.rounds.dueReminders(now)) {
    remindRound(s, round);
    result.reminded++;
  }
  for (const team of s.teams.active()) {
    const slot = dueSlot(s, team, now);
    if (slot && openRound(s, team, now, slot).ok) result.opened++;
  }
  return result;
}
