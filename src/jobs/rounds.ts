import type { Services } from '../context.ts';
import { lastSlot } from '../domain/schedule.ts';
import { closedMessage, inviteMessage, recordedMessage, reminderMessage } from '../slack/blocks/checkin.ts';
import { teamReport } from '../slack/report.ts';
import type { Round } from '../store/rounds.ts';
import type { Team } from '../store/teams.ts';
import { queueDueDigests } from './digest.ts';
import { applyRetention, scrubAfter } from './maintenance.ts';

const HOUR = 3_600_000;

export type OpenResult =
  | { ok: true; round: Round }
  | { ok: false; reason: 'already_open' | 'no_members' | 'nobody_available' };

/**
 * Opens a round for the team: snapshots its members as invitees and queues one check-in DM each,
 * all in one transaction, so a crash leaves either the whole round or nothing. Members who are away,
 * or whom Slack said can never be reached, are not invited (and so not counted as non-responders).
 */
export function openRound(s: Services, team: Team, now: Date, slot: Date | null = null): OpenResult {
  const result = s.db.transaction((): OpenResult => {
    if (s.rounds.openFor(team.id)) return { ok: false, reason: 'already_open' };
    if (s.teams.members(team.id).length === 0) return { ok: false, reason: 'no_members' };
    const invitees = s.teams.invitees(team.id, now);
    if (invitees.length === 0) return { ok: false, reason: 'nobody_available' };
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
      s.outbox.enqueue(
        `reminder:${round.id}:${invite.userId}`,
        'chat.postMessage',
        { channel: invite.dmChannel ?? invite.userId, ...message },
        { kind: 'reminder', roundId: round.id, userId: invite.userId },
      );
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
    const report = teamReport(s, team);
    if (report)
      s.outbox.enqueue(`summary:${round.id}`, 'chat.postMessage', { channel: team.managerId, ...report });
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
  // A round that was open at the slot time, or opened after it (by hand), stands in for it. A round left
  // open by an outage counts as open only until its own closing time: it never stands in for a later slot.
  const latest = s.rounds.latest(team.id);
  if (latest) {
    const end = Math.min(latest.closedAt?.getTime() ?? Number.POSITIVE_INFINITY, latest.closesAt.getTime());
    if (end > slot.getTime()) return null;
  }
  return slot;
}

export interface TickResult {
  opened: number;
  reminded: number;
  closed: number;
  digests: number;
  /** Rounds deleted because they closed more than RETENTION_WEEKS ago. */
  deleted: number;
}

/** Runs one unit of a tick's work; a failure is logged and does not stop the rest of the tick. */
function guarded(s: Services, what: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    s.log.error(`tick: ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Does whatever is due at `now`, and nothing twice: closes rounds past their window, reminds,
 * then opens scheduled rounds. Safe to call every minute, twice, or after a long outage.
 */
export function tick(s: Services, now: Date): TickResult {
  const result: TickResult = { opened: 0, reminded: 0, closed: 0, digests: 0, deleted: 0 };
  for (const round of s.rounds.dueClose(now)) {
    guarded(s, `closing round ${round.id}`, () => {
      if (closeRound(s, round, now)) result.closed++;
    });
  }
  for (const round of s.rounds.dueReminders(now)) {
    guarded(s, `reminding round ${round.id}`, () => {
      remindRound(s, round);
      result.reminded++;
    });
  }
  for (const team of s.teams.active()) {
    guarded(s, `opening a round of team ${team.id}`, () => {
      const slot = dueSlot(s, team, now);
      if (slot && openRound(s, team, now, slot).ok) result.opened++;
    });
  }
  guarded(s, 'retention', () => {
    result.deleted = applyRetention(s, now).deletedRounds;
  });
  // Closed or deleted rounds: rewrite the files so no trace of answer order or deleted rows is left.
  scrubAfter(s, result.closed > 0 || result.deleted > 0);
  // After closing, so a digest due at the same minute already reads the rounds that just closed.
  result.digests = queueDueDigests(s, now);
  return result;
}
