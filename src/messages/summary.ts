import { type Distribution, QUESTIONS } from '../domain/dimensions.ts';
import { formatMean } from '../domain/stats.ts';
import type { DimensionSummary, RoundSummary } from '../domain/summary.ts';
import { SPARK_BARS } from '../domain/trend.ts';
import { noteBlocks } from './notes.ts';
import { type Block, clip, context, escapeText, header, type Message, section } from './text.ts';

export const participation = (responded: number, invited: number): string => `${responded} of ${invited}`;

/**
 * The change between two means as the difference of the means as printed, so "3.0 → 3.0" is never
 * shown next to "−0.1", nor a fall quoted beside "±0.0".
 */
export const shownChange = (mean: number, previous: number): string => {
  const tenths = Math.round(Number(formatMean(mean)) * 10) - Math.round(Number(formatMean(previous)) * 10);
  if (tenths === 0) return '±0.0';
  return `${tenths > 0 ? '+' : '−'}${(Math.abs(tenths) / 10).toFixed(1)}`;
};

/** How many gave each answer 1–5, as a small bar chart scaled to the most common answer; · for none. */
export const distributionBar = (d: Distribution): string => {
  const most = Math.max(...d);
  return d
    .map((n) =>
      n === 0 || most === 0 ? '·' : (SPARK_BARS[Math.ceil((n / most) * SPARK_BARS.length) - 1] ?? '█'),
    )
    .join('');
};

/** One compact line per dimension: mean, change, and the answers 1–5 as a bar. */
export const dimensionLine = (d: DimensionSummary): string => {
  const change = d.previous === null ? '' : `  (${shownChange(d.mean, d.previous)} vs last shown round)`;
  return `*${QUESTIONS[d.dimension].label}*  ${formatMean(d.mean)}${change}  ·  1–5 \`${distributionBar(d.distribution)}\``;
};

/** Why nothing but participation is shown; the same sentence wherever a round is hidden. */
export const hiddenSentence = (responded: number, minResponses: number): string =>
  `Only ${responded} answered: scores and notes are shown when at least ${minResponses} people answer, ` +
  'so that no answer can be traced back to a person.';

/** The anonymized round summary: the manager's DM at close, and the core of a report. */
function summaryBlocks(s: RoundSummary, insights: readonly Block[]): Block[] {
  const blocks: Block[] = [
    header(clip(`${s.team} · round ${s.number}`, 150)),
    section(`*Participation:* ${participation(s.responded, s.invited)} answered`),
  ];
  if (!s.shown) {
    blocks.push(section(hiddenSentence(s.responded, s.minResponses)), ...insights);
    return blocks;
  }
  // Insights (trend, flags) before the notes: notes are the longest part and Slack folds long messages.
  blocks.push(section(s.dimensions.map(dimensionLine).join('\n')), ...insights);
  // Notes are escaped so markup in them pings nobody; shuffled upstream so order tells nothing.
  if (s.notes.length > 0) blocks.push(...noteBlocks(s.roundId, s.notes));
  else blocks.push(context('No notes this round.'));
  return blocks;
}

/** The manager's DM at a round's close and the core of `/teamhealth report`; `flags` counts the flags raised. */
export function summaryMessage(s: RoundSummary, insights: readonly Block[], flags: number): Message {
  const text = s.shown
    ? `${s.team} round ${s.number}: ${participation(s.responded, s.invited)} answered. ` +
      s.dimensions.map((d) => `${QUESTIONS[d.dimension].label} ${formatMean(d.mean)}`).join(', ')
    : `${s.team} round ${s.number}: ${participation(s.responded, s.invited)} answered. ${hiddenSentence(s.responded, s.minResponses)}`;
  const flagCount = flags === 0 ? 'no flags' : `${flags} flag${flags === 1 ? '' : 's'}`;
  return {
    text: `${escapeText(text)} (${flagCount})`,
    // Every note reaches the manager: a long summary is sent in parts (see inParts), never cut.
    blocks: summaryBlocks({ ...s, team: escapeText(s.team) }, insights),
  };
}
