/**
 * Schedule math for weekly check-ins: a team's schedule is a weekday and a wall-clock time in an
 * IANA timezone. Everything here is pure: callers pass `now`, nothing reads the clock.
 *
 * Wall-clock times are mapped to instants with the same rules everywhere (DST-correct):
 * - a time that does not exist locally (skipped by a spring-forward change) is moved forward by
 *   the length of the gap, e.g. 02:30 on Europe/Berlin's spring-forward day becomes 03:30 local;
 * - a time that exists twice (repeated by a fall-back change) takes its first occurrence.
 */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Day names as people read them, for rendering. */
export const WEEKDAY_NAMES: Record<Weekday, string> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};

export interface Schedule {
  weekday: Weekday;
  /** 'HH:MM', 24-hour clock. */
  time: string;
  /** IANA timezone, e.g. 'Europe/Berlin'. */
  timezone: string;
}

export interface LocalDate {
  year: number;
  /** 1..12 */
  month: number;
  /** 1..31 */
  day: number;
}

export interface LocalParts extends LocalDate {
  weekday: Weekday;
  /** 0..23 */
  hour: number;
  /** 0..59 */
  minute: number;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

// ---------------------------------------------------------------------------------------------
// Validation and parsing

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A cached formatter that yields numeric local date/time parts; throws RangeError for a bad zone. */
function formatterFor(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timezone, formatter);
  }
  return formatter;
}

/**
 * Whether `tz` is a timezone name the runtime knows (IANA names and their aliases such as `UTC`
 * and `Etc/UTC`). Empty strings, surrounding whitespace and bare UTC offsets are rejected.
 */
export function isValidTimezone(tz: string): boolean {
  if (typeof tz !== 'string' || tz.length === 0 || tz.length > 64) return false;
  if (tz.trim() !== tz || !/^[A-Za-z]/.test(tz)) return false;
  try {
    formatterFor(tz);
    return true;
  } catch {
    return false;
  }
}

let canonicalZones: Map<string, string> | undefined;

/**
 * The zone as it should be stored: trimmed and, where the runtime lists the zone, spelled with
 * its canonical capitalisation (`europe/berlin` → `Europe/Berlin`, `utc` → `UTC`). Other aliases
 * are kept as given (no `Asia/Kolkata` → `Asia/Calcutta` or `US/Eastern` → `America/New_York`
 * surprises). `null` when the zone is not valid.
 */
export function normalizeTimezone(tz: string): string | null {
  const trimmed = typeof tz === 'string' ? tz.trim() : '';
  if (!isValidTimezone(trimmed)) return null;
  if (!canonicalZones) {
    canonicalZones = new Map();
    for (const zone of Intl.supportedValuesOf('timeZone')) canonicalZones.set(zone.toLowerCase(), zone);
  }
  const listed = canonicalZones.get(trimmed.toLowerCase());
  if (listed) return listed;
  // Unlisted aliases such as `UTC`: take the runtime's spelling only if it differs in case alone.
  const resolved = formatterFor(trimmed).resolvedOptions().timeZone;
  return resolved.toLowerCase() === trimmed.toLowerCase() ? resolved : trimmed;
}

/** Parses a 24-hour `H:MM` or `HH:MM` time into normalised `HH:MM`; `null` when invalid. */
export function parseTime(s: string): string | null {
  if (typeof s !== 'string') return null;
  const match = /^(\d{1,2}):(\d{2})$/.exec(s.trim());
  if (!match) return null;
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  if (hour > 23 || minute > 59) return null;
  return `${pad2(hour)}:${pad2(minute)}`;
}

/** Parses `mon`..`sun` or a full day name (`Monday`), case-insensitively; `null` when unknown. */
export function parseWeekday(s: string): Weekday | null {
  if (typeof s !== 'string') return null;
  const lower = s.trim().toLowerCase();
  for (const day of WEEKDAYS) {
    if (lower === day || lower === WEEKDAY_NAMES[day].toLowerCase()) return day;
  }
  return null;
}

/** The schedule a new team gets: Mondays at 10:00 in the given zone. */
export function defaultSchedule(timezone: string): Schedule {
  return { weekday: 'mon', time: '10:00', timezone };
}

// ---------------------------------------------------------------------------------------------
// Zone arithmetic

interface ZonedFields extends LocalDate {
  hour: number;
  minute: number;
  second: number;
}

function zonedFields(instantMs: number, timezone: string): ZonedFields {
  const fields: ZonedFields = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatterFor(timezone).formatToParts(instantMs)) {
    switch (part.type) {
      case 'year':
      case 'month':
      case 'day':
      case 'hour':
      case 'minute':
      case 'second':
        fields[part.type] = Number(part.value);
        break;
      default:
        break;
    }
  }
  return fields;
}

/** Milliseconds since the epoch of a wall-clock reading taken as if it were UTC. */
function wallMs(f: LocalDate & { hour: number; minute: number; second?: number }): number {
  const d = new Date(Date.UTC(2000, f.month - 1, f.day, f.hour, f.minute, f.second ?? 0));
  d.setUTCFullYear(f.year); // Date.UTC maps years 0..99 to 1900..1999
  return d.getTime();
}

/** The zone's UTC offset at an instant, in milliseconds (local = utc + offset). */
function offsetAt(instantMs: number, timezone: string): number {
  const whole = Math.floor(instantMs / 1000) * 1000;
  return wallMs(zonedFields(whole, timezone)) - whole;
}

function weekdayOf(date: LocalDate): Weekday {
  const sundayFirst = new Date(wallMs({ ...date, hour: 12, minute: 0 })).getUTCDay();
  return WEEKDAYS[(sundayFirst + 6) % 7] as Weekday;
}

function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(wallMs({ ...date, hour: 12, minute: 0 }) + days * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

function isValidDate(date: LocalDate): boolean {
  const { year, month, day } = date;
  if (![year, month, day].every(Number.isInteger)) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  const d = new Date(wallMs({ year, month, day, hour: 12, minute: 0 }));
  return d.getUTCMonth() + 1 === month && d.getUTCDate() === day;
}

/** Local date, weekday and time of an instant in a zone (seconds dropped). */
export function localParts(instant: Date, timezone: string): LocalParts {
  const f = zonedFields(instant.getTime(), timezone);
  const date = { year: f.year, month: f.month, day: f.day };
  return { ...date, weekday: weekdayOf(date), hour: f.hour, minute: f.minute };
}

/**
 * The instant at which the clocks in `timezone` show `time` on `date`. A time skipped by a
 * spring-forward change is moved forward by the gap (02:30 → 03:30 when 02:00 jumps to 03:00);
 * a time repeated by a fall-back change takes its first occurrence.
 * Throws RangeError for an invalid date, time or zone.
 */
export function zonedTimeToUtc(date: LocalDate, time: string, timezone: string): Date {
  const hhmm = parseTime(time);
  if (hhmm === null) throw new RangeError(`Invalid time "${time}", expected HH:MM`);
  if (!isValidDate(date)) throw new RangeError(`Invalid date ${JSON.stringify(date)}`);
  if (!isValidTimezone(timezone)) throw new RangeError(`Invalid timezone "${timezone}"`);

  const wall = wallMs({ ...date, hour: Number(hhmm.slice(0, 2)), minute: Number(hhmm.slice(3)) });
  // Offsets are within ±14 h, so these two readings bracket the true instant; between them the
  // zone has (in practice) at most one transition.
  const offsetBefore = offsetAt(wall - DAY_MS, timezone);
  const offsetAfter = offsetAt(wall + DAY_MS, timezone);

  const matches = [...new Set([offsetBefore, offsetAfter])]
    .map((offset) => wall - offset)
    .filter((candidate) => wallMs(zonedFields(candidate, timezone)) === wall);
  if (matches.length > 0) return new Date(Math.min(...matches));

  // Skipped by a gap: read the wall time with the offset in force before the change, which
  // lands as far past the gap's end as the wall time was past its start.
  return new Date(wall - offsetBefore);
}

// ---------------------------------------------------------------------------------------------
// Slots

/** The schedule's slots in the weeks around `now`, earliest first. */
function slotsAround(schedule: Schedule, now: Date): Date[] {
  const today = localParts(now, schedule.timezone);
  const target = WEEKDAYS.indexOf(schedule.weekday);
  if (target < 0) throw new RangeError(`Invalid weekday "${schedule.weekday}"`);
  const daysBack = (WEEKDAYS.indexOf(today.weekday) - target + 7) % 7;
  // The most recent local date on or before today that falls on the scheduled weekday.
  const base = addDays(today, -daysBack);
  return [-1, 0, 1, 2].map((week) =>
    zonedTimeToUtc(addDays(base, week * 7), schedule.time, schedule.timezone),
  );
}

/** The latest scheduled instant at or before `now` (a slot exactly at `now` is due). */
export function lastSlot(schedule: Schedule, now: Date): Date {
  const slots = slotsAround(schedule, now).filter((slot) => slot.getTime() <= now.getTime());
  const last = slots[slots.length - 1];
  if (!last) throw new RangeError('No slot found before now'); // unreachable: a week back always is
  return last;
}

/** The earliest scheduled instant strictly after `now`. */
export function nextSlot(schedule: Schedule, now: Date): Date {
  const next = slotsAround(schedule, now).find((slot) => slot.getTime() > now.getTime());
  if (!next) throw new RangeError('No slot found after now'); // unreachable: two weeks ahead always is
  return next;
}

/** e.g. `Mondays at 10:00 (Europe/Berlin)`. */
export function describeSchedule(s: Schedule): string {
  return `${WEEKDAY_NAMES[s.weekday]}s at ${parseTime(s.time) ?? s.time} (${s.timezone})`;
}

/** e.g. `Monday 10:00 (Europe/Berlin)`, for "next check-in …". */
export function describeInstant(instant: Date, timezone: string): string {
  const p = localParts(instant, timezone);
  return `${WEEKDAY_NAMES[p.weekday]} ${pad2(p.hour)}:${pad2(p.minute)} (${timezone})`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
