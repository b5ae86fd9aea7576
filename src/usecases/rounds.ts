import type { Services } from '../context.ts';
import { deliveryKey } from '../domain/delivery.ts';
import { lastSlot } from '../domain/schedule.ts';
import { closedMessage, inviteMessage, recordedMessage, reminderMessage } from '../messages/checkin.ts';
import { inParts } from '../messages/text.ts';
import type { Round } from '../store/rounds.ts';
import { scrubSoon } from '../store/scrub.ts';
import { keyCheck, newRoundKey } from '../store/sealing.ts';
import type { Team } from '../store/teams.ts';
import { teamFor } from './access.ts';
import { queueRoundChart } from './charts.ts';
import { readersOf } from './consent.ts';
import { teamReport } from './report.ts';
import type { Refused } from './teams.ts';

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
    // The round key seals answers until enough have come; the database keeps only a check of it.
    const key = newRoundKey();
    const round = s.rounds.insert(
      team.id,
      slot === null ? null : slot.getTime(),
      now,
      new Date(now.getTime() + s.config.reminderHours * HOUR),
      new Date(now.getTime() + s.config.windowHours * HOUR),
      invitees,
      { minResponses: s.config.minResponses, keyCheck: keyCheck(key) },
    );
    s.keys.remember(round.id, key);
    const message = inviteMessage(
      team.slug,
      round.id,
      round.closesAt,
      readersOf(s, team, round.minResponses),
      s.actions.open(team.id),
    );
    for (const userId of invitees) {
      s.outbox.enqueue(
        deliveryKey({ kind: 'invite', roundId: round.id, userId }),
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
    const message = reminderMessage(
      team.slug,
      round.id,
      readersOf(s, team, round.minResponses),
      s.actions.open(team.id),
    );
    for (const invite of s.rounds.invites(round.id)) {
      if (invite.answered) continue;
      s.outbox.enqueue(
        deliveryKey({ kind: 'reminder', roundId: round.id, userId: invite.userId }),
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
      s.outbox.enqueue(
        deliveryKey({ kind: 'closed', roundId: round.id, userId: invite.userId }),
        'chat.update',
        {
          channel: invite.dmChannel,
          ts: invite.dmTs,
          ...closedNotice,
        },
      );
    }
    const report = teamReport(s, team);
    if (report) {
      inParts(report).forEach((part, i) => {
        const key = deliveryKey({ kind: 'summary', roundId: round.id, ...(i > 0 && { part: i }) });
        s.outbox.enqueue(key, 'chat.postMessage', { channel: team.managerId, ...part });
      });
      // Queued after the summary, so the text goes first and stands alone if the chart cannot follow.
      queueRoundChart(s, team, round);
    }
    return true;
  })();
  if (closed) {
    s.keys.forget(round.id);
    s.log.info(`round ${round.id} of team ${team.id} closed`);
    s.kick();
  }
  return closed;
}

/** How often the participation managers see of an open round moves. */
export const LIVE_COUNT_EVERY_MS = HOUR;

/** Refreshes the count managers see of each open round, at most once an hour. Returns how many moved. */
export function refreshLiveCounts(s: Services, now: Date): number {
  let refreshed = 0;
  for (const round of s.rounds.allOpen()) {
    if (now.getTime() - round.liveAt.getTime() < LIVE_COUNT_EVERY_MS) continue;
    s.rounds.setLiveCount(round.id, s.rounds.counts(round.id).answered, now);
    refreshed++;
  }
  return refreshed;
}

/** After an answer is stored: the invite DM now says it was recorded. False when there is no DM to update. */
export function queueRecordedNotice(s: Services, team: Team, roundId: number, userId: string): boolean {
  const invite = s.rounds.invite(roundId, userId);
  if (!invite?.dmChannel || !invite.dmTs) return false;
  s.outbox.enqueue(deliveryKey({ kind: 'recorded', roundId, userId }), 'chat.update', {
    channel: invite.dmChannel,
    ts: invite.dmTs,
    ...recordedMessage(team.slug),
  });
  s.kick();
  return true;
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

export type StartResult =
  | Refused
  | { ok: false; team: Team; reason: 'already_open' | 'no_members' | 'nobody_available' }
  | { ok: true; team: Team; round: Round; invited: number; skipped: number };

/** `/teamhealth checkin`: opens a round now, for a manager, lead or admin. */
export function startRound(s: Services, caller: string, slug: string, now: Date): StartResult {
  const found = teamFor(s, slug, caller, 'run_round');
  if (!found.ok) return found;
  const team = found.team;
  const opened = openRound(s, team, now);
  if (!opened.ok) return { ok: false, team, reason: opened.reason };
  const { invited } = s.rounds.counts(opened.round.id);
  return { ok: true, team, round: opened.round, invited, skipped: s.teams.members(team.id).length - invited };
}

export type EndResult =
  | Refused
  | { ok: false; team: Team; noneOpen: true }
  | { ok: true; team: Team; round: Round };

/** `/teamhealth close`: closes the open round now and sends its summary. */
export function endRound(s: Services, caller: string, slug: string, now: Date): EndResult {
  const found = teamFor(s, slug, caller, 'run_round');
  if (!found.ok) return found;
  const team = found.team;
  const round = s.rounds.openFor(team.id);
  if (!round || !closeRound(s, round, now)) return { ok: false, team, noneOpen: true };
  // A closed round is final: rewrite the files so nothing in them keeps the order its answers came in.
  scrubSoon(s.db, s.log);
  return { ok: true, team, round };
}
