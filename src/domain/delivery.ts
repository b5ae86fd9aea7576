import { USER_ID, USER_ID_IN_TEXT } from './ids.ts';

/**
 * What each outbox row delivers, as a typed key. The key is unique per delivery, so queuing the same
 * delivery twice does nothing; this module is the one place that writes and reads its text form.
 */

/** Deliveries to one person about one round. */
const PERSONAL_KINDS = ['invite', 'reminder', 'recorded', 'closed', 'away', 'replied'] as const;
export type PersonalKind = (typeof PERSONAL_KINDS)[number];

/**
 * Deliveries to or about one person's place on one team: join (the DM asking them to join), joined /
 * optout / left (that DM, or the welcome, updated after Join / Not my team / Leave this team), declined
 * (the person who added them is told they declined), added (the welcome after an admin added them).
 */
const MEMBERSHIP_KINDS = ['join', 'joined', 'optout', 'declined', 'added', 'left'] as const;
export type MembershipKind = (typeof MEMBERSHIP_KINDS)[number];

export type Delivery =
  /**
   * The check-in DM; reminder: the one nudge; recorded / closed / away: the DM updated; replied: notes
   * from the round were answered (to everyone who answered it).
   */
  | { kind: PersonalKind; roundId: number; userId: string }
  /** About the person's place on a team; `userId` is the person it is about, whoever receives it. */
  | { kind: MembershipKind; teamId: number; userId: string }
  /** The round's summary to its manager. */
  | { kind: 'summary'; roundId: number; part?: number }
  /** A lead's weekly digest for one scheduled slot (epoch ms). */
  | { kind: 'digest'; leadId: string; slot: number }
  /** The DM confirming a saved setup form (each save its own nonce). */
  | { kind: 'setup'; teamId: number; nonce: string }
  /** A personal delivery that failed for good, kept for `/teamhealth status` without its person. */
  | { kind: 'failed'; of: PersonalKind; roundId: number; nonce: string }
  /** The trend chart uploaded into the manager's DM with a round's summary. */
  | { kind: 'chart'; roundId: number }
  /** The chart of all a lead's teams, uploaded with their weekly digest. */
  | { kind: 'digest_chart'; leadId: string; slot: number }
  /** To one who answers for the team in a note's thread (`userId`): the note's author answered. */
  | { kind: 'author_answered'; roundId: number; noteId: string; userId: string };

const PERSONAL: ReadonlySet<string> = new Set<PersonalKind>(PERSONAL_KINDS);

export const isPersonal = (d: Delivery): d is Extract<Delivery, { kind: PersonalKind }> =>
  PERSONAL.has(d.kind);

/** The text form stored in the outbox's unique `key` column. */
export function deliveryKey(d: Delivery): string {
  switch (d.kind) {
    case 'summary':
      // Part 0 keeps the key it always had; a long summary's further parts are numbered.
      return d.part ? `summary:${d.roundId}:${d.part}` : `summary:${d.roundId}`;
    case 'digest':
      return `digest:${d.leadId}:${d.slot}`;
    case 'setup':
      return `setup:${d.teamId}:${d.nonce}`;
    case 'failed':
      return `failed:${d.of}:${d.roundId}:${d.nonce}`;
    case 'chart':
      return `chart:${d.roundId}`;
    case 'digest_chart':
      return `digest-chart:${d.leadId}:${d.slot}`;
    case 'author_answered':
      return `author-answered:${d.roundId}:${d.noteId}:${d.userId}`;
    default:
      return 'teamId' in d ? `${d.kind}:${d.teamId}:${d.userId}` : `${d.kind}:${d.roundId}:${d.userId}`;
  }
}

/** A user id inside a key (domain/ids.ts USER_ID without its anchors). */
const USER = USER_ID.source.slice(1, -1);
const PERSONAL_ALTERNATIVES = PERSONAL_KINDS.join('|');
const PERSONAL_KEY = new RegExp(`^(${PERSONAL_ALTERNATIVES}):(\\d+):(${USER})$`);
const SUMMARY_KEY = /^summary:(\d+)(?::(\d+))?$/;
const DIGEST_KEY = new RegExp(`^digest:(${USER}):(\\d+)$`);
const SETUP_KEY = /^setup:(\d+):([0-9a-f]+)$/;
const FAILED_KEY = new RegExp(`^failed:(${PERSONAL_ALTERNATIVES}):(\\d+):([0-9a-f]+)$`);
const MEMBERSHIP_KEY = new RegExp(`^(${MEMBERSHIP_KINDS.join('|')}):(\\d+):(${USER})$`);
const CHART_KEY = /^chart:(\d+)$/;
const DIGEST_CHART_KEY = new RegExp(`^digest-chart:(${USER}):(\\d+)$`);
const AUTHOR_ANSWERED_KEY = new RegExp(`^author-answered:(\\d+):([0-9a-f]{32}):(${USER})$`);

/** The delivery a stored key stands for; null for a key this code did not write. */
export function parseDeliveryKey(key: string): Delivery | null {
  let m = PERSONAL_KEY.exec(key);
  if (m) return { kind: m[1] as PersonalKind, roundId: Number(m[2]), userId: m[3] as string };
  m = SUMMARY_KEY.exec(key);
  if (m) return { kind: 'summary', roundId: Number(m[1]), ...(m[2] !== undefined && { part: Number(m[2]) }) };
  m = DIGEST_KEY.exec(key);
  if (m) return { kind: 'digest', leadId: m[1] as string, slot: Number(m[2]) };
  m = SETUP_KEY.exec(key);
  if (m) return { kind: 'setup', teamId: Number(m[1]), nonce: m[2] as string };
  m = FAILED_KEY.exec(key);
  if (m) return { kind: 'failed', of: m[1] as PersonalKind, roundId: Number(m[2]), nonce: m[3] as string };
  m = MEMBERSHIP_KEY.exec(key);
  if (m) return { kind: m[1] as MembershipKind, teamId: Number(m[2]), userId: m[3] as string };
  m = CHART_KEY.exec(key);
  if (m) return { kind: 'chart', roundId: Number(m[1]) };
  m = DIGEST_CHART_KEY.exec(key);
  if (m) return { kind: 'digest_chart', leadId: m[1] as string, slot: Number(m[2]) };
  m = AUTHOR_ANSWERED_KEY.exec(key);
  if (m)
    return { kind: 'author_answered', roundId: Number(m[1]), noteId: m[2] as string, userId: m[3] as string };
  return null;
}

/** What `/teamhealth forget-me` takes back of what is still queued for (or about) the person. */
export const FORGOTTEN_WITH_A_PERSON: readonly (PersonalKind | MembershipKind)[] = [
  ...PERSONAL_KINDS,
  ...MEMBERSHIP_KINDS,
];

/** The round a delivery belongs to, if any. */
export const roundOf = (d: Delivery): number | null =>
  isPersonal(d) ||
  d.kind === 'summary' ||
  d.kind === 'failed' ||
  d.kind === 'chart' ||
  d.kind === 'author_answered'
    ? d.roundId
    : null;

/** The lead's weekly slot a delivery belongs to, if any. */
export const digestSlotOf = (d: Delivery): number | null =>
  d.kind === 'digest' || d.kind === 'digest_chart' ? d.slot : null;

/**
 * A SQL LIKE pattern matching the keys of one kind of personal delivery for one person, any round.
 * User ids hold only letters and digits, so nothing in them is a LIKE wildcard.
 */
export const personalKeyPattern = (kind: PersonalKind | MembershipKind, userId: string): string =>
  `${kind}:%:${userId}`;

/**
 * How a delivery is named in logs and in `/teamhealth status`: its key without the person it is for,
 * so no log line says when someone's check-in was recorded.
 */
export const describeDelivery = (key: string): string => key.replace(USER_ID_IN_TEXT, '…');
