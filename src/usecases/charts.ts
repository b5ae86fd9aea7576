import { z } from 'zod';
import type { Services } from '../context.ts';
import { CHART_HISTORY, leadChart, teamChart } from '../domain/chart.ts';
import { deliveryKey } from '../domain/delivery.ts';
import { assessTeam, HISTORY_ROUNDS } from '../domain/health.ts';
import { USER_ID } from '../domain/ids.ts';
import {
  type ChartSvg,
  leadChartAltText,
  leadChartFilename,
  leadChartSvg,
  leadChartTitle,
  teamChartAltText,
  teamChartFilename,
  teamChartSvg,
  teamChartTitle,
} from '../messages/chart.ts';
import { svgToPng } from '../messages/png.ts';
import type { Round } from '../store/rounds.ts';
import type { Team } from '../store/teams.ts';

/**
 * The outbox method of a chart upload. Not a Slack method: the worker's Slack adapter
 * (jobs/chartUpload.ts) turns it into Slack's three-step external upload.
 */
export const CHART_UPLOAD = 'teamhealth.chartUpload';

/** What a queued chart upload holds: which chart, and whose DM it goes to. The picture is drawn at send time. */
const ChartRequest = z.discriminatedUnion('chart', [
  z.object({
    chart: z.literal('round'),
    roundId: z.number().int().positive(),
    userId: z.string().regex(USER_ID),
  }),
  z.object({ chart: z.literal('digest'), leadId: z.string().regex(USER_ID) }),
]);
export type ChartRequest = z.infer<typeof ChartRequest>;

/** A chart ready to upload. */
export interface ChartFile {
  /** Whose DM it goes to. */
  userId: string;
  filename: string;
  title: string;
  altText: string;
  png: Buffer;
}

/** Queues the round's trend chart for the manager's DM; call in the transaction that queues its summary. */
export function queueRoundChart(s: Services, team: Team, round: Round): void {
  const request: ChartRequest = { chart: 'round', roundId: round.id, userId: team.managerId };
  s.outbox.enqueue(deliveryKey({ kind: 'chart', roundId: round.id }), CHART_UPLOAD, request);
}

/** Queues the chart of a lead's teams; call in the transaction that queues their weekly digest. */
export function queueDigestChart(s: Services, leadId: string, slot: Date): void {
  const request: ChartRequest = { chart: 'digest', leadId };
  s.outbox.enqueue(
    deliveryKey({ kind: 'digest_chart', leadId, slot: slot.getTime() }),
    CHART_UPLOAD,
    request,
  );
}

/** The chart of one round as it stood at its close: its team's rounds up to it, never later ones. */
function roundChartSvg(s: Services, roundId: number) {
  const round = s.rounds.byId(roundId);
  const team = round && s.teams.byId(round.teamId);
  if (!round || !team) return null;
  // Rounds closed since (the outbox may have been down) are read too, then left out.
  const later = Math.max(0, (s.rounds.latest(team.id)?.number ?? round.number) - round.number);
  const history = s.rounds.closedTallies(team.id, CHART_HISTORY + later);
  const upTo = history.findIndex((t) => t.roundId === roundId);
  if (upTo < 0) return null;
  const chart = teamChart(team.slug, history.slice(0, upTo + 1), s.actions.all(team.id));
  return {
    svg: teamChartSvg(chart),
    filename: teamChartFilename(chart),
    title: teamChartTitle(chart),
    altText: teamChartAltText(chart),
  };
}

/** The chart of every team a lead leads, riskiest first, as of now. */
export function digestChartSvg(s: Services, leadId: string) {
  const teams = s.teams.ledBy(leadId).map((team) => {
    const history = s.rounds.closedTallies(team.id, CHART_HISTORY);
    return {
      health: assessTeam(team, history.slice(-HISTORY_ROUNDS)),
      chart: teamChart(team.slug, history, s.actions.all(team.id)),
    };
  });
  if (!teams.some((t) => t.chart.rounds.length > 0)) return null;
  const chart = leadChart(leadId, teams);
  return {
    svg: leadChartSvg(chart),
    filename: leadChartFilename(chart),
    title: leadChartTitle(chart),
    altText: leadChartAltText(chart),
  };
}

/**
 * The chart a queued upload asks for, drawn now from the database (nothing but the request is kept in
 * the outbox). Null when there is nothing to draw any more: the round or team is gone, or no round has
 * closed. Throws for a request this app did not write.
 */
export async function chartFor(s: Services, payload: unknown): Promise<ChartFile | null> {
  const request = ChartRequest.parse(payload);
  // Every database read happens before the first await: the render runs off the event loop.
  const drawn: { svg: ChartSvg; filename: string; title: string; altText: string } | null =
    request.chart === 'round' ? roundChartSvg(s, request.roundId) : digestChartSvg(s, request.leadId);
  if (!drawn) return null;
  const userId = request.chart === 'round' ? request.userId : request.leadId;
  return {
    userId,
    filename: drawn.filename,
    title: drawn.title,
    altText: drawn.altText,
    png: await svgToPng(drawn.svg),
  };
}
