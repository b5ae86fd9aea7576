import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  defaultSchedule,
  describeInstant,
  describeSchedule,
  isValidTimezone,
  lastSlot,
  localParts,
  nextSlot,
  normalizeTimezone,
  parseTime,
  parseWeekday,
  type Schedule,
  WEEKDAYS,
  zonedTimeToUtc,
} from '../../src/domain/schedule.ts';

const at = (iso: string): Date => new Date(iso);
const iso = (d: Date): string => d.toISOString();
const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

const berlinMonday: Schedule = { weekday: 'mon', time: '10:00', timezone: 'Europe/Berlin' };
const newYorkMonday: Schedule = { weekday: 'mon', time: '10:00', timezone: 'America/New_York' };
const sydneyMonday: Schedule = { weekday: 'mon', time: '10:00', timezone: 'Australia/Sydney' };

describe('parseTime', () => {
  it.each([
    ['9:30', '09:30'],
    ['09:30', '09:30'],
    ['0:00', '00:00'],
    ['00:00', '00:00'],
    ['23:59', '23:59'],
    [' 7:05 ', '07:05'],
  ])('accepts %j as %j', (input, expected) => {
    expect(parseTime(input)).toBe(expected);
  });

  it.each([
    '24:00',
    '9:60',
    '930',
    '0930',
    '9:5',
    '09:30:00',
    '9.30',
    '-1:00',
    '123:00',
    'ab:cd',
    '9:30pm',
    '',
    '٠٩:٣٠',
  ])('rejects %j', (input) => {
    expect(parseTime(input)).toBeNull();
  });
});

describe('parseWeekday', () => {
  it('accepts short and full names in any case', () => {
    expect(parseWeekday('mon')).toBe('mon');
    expect(parseWeekday('SUN')).toBe('sun');
    expect(parseWeekday('Wednesday')).toBe('wed');
  });

  it('rejects anything else', () => {
    expect(parseWeekday('')).toBeNull();
    expect(parseWeekday('mo')).toBeNull();
    expect(parseWeekday('funday')).toBeNull();
  });
});

describe('isValidTimezone / normalizeTimezone', () => {
  it.each(['UTC', 'Etc/UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata'])(
    'accepts %s',
    (tz) => {
      expect(isValidTimezone(tz)).toBe(true);
    },
  );

  it.each(['Mars/Olympus', '', ' ', ' UTC', 'Europe/Berlin ', '+01:00', 'Europe', 'Not a zone'])(
    'rejects %j',
    (tz) => {
      expect(isValidTimezone(tz)).toBe(false);
    },
  );

  it('fixes capitalisation but keeps aliases as given', () => {
    expect(normalizeTimezone('europe/berlin')).toBe('Europe/Berlin');
    expect(normalizeTimezone(' Europe/Berlin ')).toBe('Europe/Berlin');
    expect(normalizeTimezone('utc')).toBe('UTC');
    expect(normalizeTimezone('Etc/UTC')).toBe('Etc/UTC');
    expect(normalizeTimezone('Asia/Kolkata')).toBe('Asia/Kolkata');
    expect(normalizeTimezone('US/Eastern')).toBe('US/Eastern');
    expect(normalizeTimezone('Mars/Olympus')).toBeNull();
    expect(normalizeTimezone('')).toBeNull();
  });
});

describe('localParts', () => {
  it('reads date, weekday and time in the zone, not in UTC', () => {
    // Sunday 23:30 UTC is already Monday 01:30 in Berlin (summer time).
    expect(localParts(at('2025-03-30T23:30:00Z'), 'Europe/Berlin')).toEqual({
      year: 2025,
      month: 3,
      day: 31,
      weekday: 'mon',
      hour: 1,
      minute: 30,
    });
    // ...and still Sunday 19:30 in New York.
    expect(localParts(at('2025-03-30T23:30:00Z'), 'America/New_York')).toMatchObject({
      day: 30,
      weekday: 'sun',
      hour: 19,
    });
  });

  it('shows midnight as hour 0', () => {
    expect(localParts(at('2025-01-05T23:00:00Z'), 'Europe/Berlin')).toMatchObject({
      day: 6,
      weekday: 'mon',
      hour: 0,
      minute: 0,
    });
  });
});

describe('zonedTimeToUtc', () => {
  it('converts ordinary winter and summer times', () => {
    expect(iso(zonedTimeToUtc({ year: 2025, month: 1, day: 13 }, '10:00', 'Europe/Berlin'))).toBe(
      '2025-01-13T09:00:00.000Z',
    );
    expect(iso(zonedTimeToUtc({ year: 2025, month: 7, day: 14 }, '10:00', 'Europe/Berlin'))).toBe(
      '2025-07-14T08:00:00.000Z',
    );
    expect(iso(zonedTimeToUtc({ year: 2025, month: 7, day: 14 }, '9:05', 'UTC'))).toBe(
      '2025-07-14T09:05:00.000Z',
    );
  });

  it('moves a time skipped by spring-forward past the gap (Europe/Berlin)', () => {
    // 2025-03-30: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist → 03:30 CEST = 01:30 UTC.
    expect(iso(zonedTimeToUtc({ year: 2025, month: 3, day: 30 }, '02:30', 'Europe/Berlin'))).toBe(
      '2025-03-30T01:30:00.000Z',
    );
    expect(iso(zonedTimeToUtc({ year: 2025, month: 3, day: 30 }, '02:00', 'Europe/Berlin'))).toBe(
      '2025-03-30T01:00:00.000Z',
    );
    // Just outside the gap, both sides.
    expect(iso(zonedTimeToUtc({ year: 2025, month: 3, day: 30 }, '01:59', 'Europe/Berlin'))).toBe(
      '2025-03-30T00:59:00.000Z',
    );
    expect(iso(zonedTimeToUtc({ year: 2025, month: 3, day: 30 }, '03:00', 'Europe/Berlin'))).toBe(
      '2025-03-30T01:00:00.000Z',
    );
  });

  it('takes the first occurrence of a time repeated by fall-back (Europe/Berlin)', () => {
    // 2025-10-26: 03:00 CEST falls back to 02:00 CET; 02:30 happens at 00:30 and 01:30 UTC.
    expect(iso(zonedTimeToUtc({ year: 2025, month: 10, day: 26 }, '02:30', 'Europe/Berlin'))).toBe(
      '2025-10-26T00:30:00.000Z',
    );
    expect(iso(zonedTimeToUtc({ year: 2025, month: 10, day: 26 }, '03:00', 'Europe/Berlin'))).toBe(
      '2025-10-26T02:00:00.000Z',
    );
  });

  it('handles both changes in America/New_York', () => {
    // 2025-03-09: 02:00 EST jumps to 03:00 EDT.
    expect(iso(zonedTimeToUtc({ year: 2025, month: 3, day: 9 }, '02:30', 'America/New_York'))).toBe(
      '2025-03-09T07:30:00.000Z',
    );
    // 2025-11-02: 02:00 EDT falls back to 01:00 EST; 01:30 first happens in EDT.
    expect(iso(zonedTimeToUtc({ year: 2025, month: 11, day: 2 }, '01:30', 'America/New_York'))).toBe(
      '2025-11-02T05:30:00.000Z',
    );
  });

  it('handles southern-hemisphere changes in Australia/Sydney', () => {
    // 2025-10-05: 02:00 AEST jumps to 03:00 AEDT.
    expect(iso(zonedTimeToUtc({ year: 2025, month: 10, day: 5 }, '02:30', 'Australia/Sydney'))).toBe(
      '2025-10-04T16:30:00.000Z',
    );
    // 2025-04-06: 03:00 AEDT falls back to 02:00 AEST; 02:30 first happens in AEDT (+11).
    expect(iso(zonedTimeToUtc({ year: 2025, month: 4, day: 6 }, '02:30', 'Australia/Sydney'))).toBe(
      '2025-04-05T15:30:00.000Z',
    );
  });

  it('rejects invalid input with a RangeError', () => {
    const date = { year: 2025, month: 1, day: 1 };
    expect(() => zonedTimeToUtc(date, '24:00', 'UTC')).toThrow(RangeError);
    expect(() => zonedTimeToUtc(date, '10:00', 'Mars/Olympus')).toThrow(RangeError);
    expect(() => zonedTimeToUtc({ year: 2025, month: 2, day: 29 }, '10:00', 'UTC')).toThrow(RangeError);
    expect(() => zonedTimeToUtc({ year: 2025, month: 13, day: 1 }, '10:00', 'UTC')).toThrow(RangeError);
    expect(iso(zonedTimeToUtc({ year: 2024, month: 2, day: 29 }, '10:00', 'UTC'))).toBe(
      '2024-02-29T10:00:00.000Z',
    );
  });
});

describe('lastSlot / nextSlot', () => {
  it('fires at 10:00 Berlin time on both sides of spring-forward', () => {
    // Monday before the change: CET, 09:00 UTC. Monday after: CEST, 08:00 UTC.
    const saturday = at('2025-03-29T12:00:00Z');
    expect(iso(lastSlot(berlinMonday, saturday))).toBe('2025-03-24T09:00:00.000Z');
    expect(iso(nextSlot(berlinMonday, saturday))).toBe('2025-03-31T08:00:00.000Z');
    // 08:30 UTC on the Monday after is 10:30 local: already due, even though it is before 09:00 UTC.
    expect(iso(lastSlot(berlinMonday, at('2025-03-31T08:30:00Z')))).toBe('2025-03-31T08:00:00.000Z');
  });

  it('fires at 10:00 Berlin time on both sides of fall-back', () => {
    const saturday = at('2025-10-25T12:00:00Z');
    expect(iso(lastSlot(berlinMonday, saturday))).toBe('2025-10-20T08:00:00.000Z');
    expect(iso(nextSlot(berlinMonday, saturday))).toBe('2025-10-27T09:00:00.000Z');
    // 08:30 UTC on the Monday after is only 09:30 local: not due yet.
    expect(iso(lastSlot(berlinMonday, at('2025-10-27T08:30:00Z')))).toBe('2025-10-20T08:00:00.000Z');
    expect(iso(nextSlot(berlinMonday, at('2025-10-27T08:30:00Z')))).toBe('2025-10-27T09:00:00.000Z');
  });

  it('fires at 10:00 New York time on both sides of both changes', () => {
    expect(iso(lastSlot(newYorkMonday, at('2025-03-08T12:00:00Z')))).toBe('2025-03-03T15:00:00.000Z');
    expect(iso(nextSlot(newYorkMonday, at('2025-03-08T12:00:00Z')))).toBe('2025-03-10T14:00:00.000Z');
    expect(iso(lastSlot(newYorkMonday, at('2025-11-01T12:00:00Z')))).toBe('2025-10-27T14:00:00.000Z');
    expect(iso(nextSlot(newYorkMonday, at('2025-11-01T12:00:00Z')))).toBe('2025-11-03T15:00:00.000Z');
  });

  it('fires at 10:00 Sydney time across southern-hemisphere changes', () => {
    // DST ends 2025-04-06: AEDT (+11) before, AEST (+10) after.
    expect(iso(lastSlot(sydneyMonday, at('2025-04-05T00:00:00Z')))).toBe('2025-03-30T23:00:00.000Z');
    expect(iso(nextSlot(sydneyMonday, at('2025-04-05T00:00:00Z')))).toBe('2025-04-07T00:00:00.000Z');
    // DST starts 2025-10-05: AEST (+10) before, AEDT (+11) after.
    expect(iso(lastSlot(sydneyMonday, at('2025-10-04T00:00:00Z')))).toBe('2025-09-29T00:00:00.000Z');
    expect(iso(nextSlot(sydneyMonday, at('2025-10-04T00:00:00Z')))).toBe('2025-10-05T23:00:00.000Z');
  });

  it('counts a slot exactly at now as due', () => {
    const slot = at('2025-03-31T08:00:00Z');
    expect(iso(lastSlot(berlinMonday, slot))).toBe(iso(slot));
    expect(iso(nextSlot(berlinMonday, slot))).toBe('2025-04-07T08:00:00.000Z');
    const justBefore = new Date(slot.getTime() - 1);
    expect(iso(lastSlot(berlinMonday, justBefore))).toBe('2025-03-24T09:00:00.000Z');
    expect(iso(nextSlot(berlinMonday, justBefore))).toBe(iso(slot));
  });

  it('crosses week and year boundaries', () => {
    const wednesday: Schedule = { weekday: 'wed', time: '09:00', timezone: 'UTC' };
    const newYearsEve = at('2024-12-31T12:00:00Z');
    expect(iso(lastSlot(wednesday, newYearsEve))).toBe('2024-12-25T09:00:00.000Z');
    expect(iso(nextSlot(wednesday, newYearsEve))).toBe('2025-01-01T09:00:00.000Z');

    // Monday 00:00 in Tokyo is Sunday 15:00 UTC; one second earlier the local week has not turned.
    const tokyoMidnight: Schedule = { weekday: 'mon', time: '00:00', timezone: 'Asia/Tokyo' };
    const sundayNight = at('2025-06-01T14:59:59Z');
    expect(iso(lastSlot(tokyoMidnight, sundayNight))).toBe('2025-05-25T15:00:00.000Z');
    expect(iso(nextSlot(tokyoMidnight, sundayNight))).toBe('2025-06-01T15:00:00.000Z');
  });

  it('handles Sunday schedules, including the last day of the local week', () => {
    const sundayEvening: Schedule = { weekday: 'sun', time: '18:00', timezone: 'UTC' };
    expect(iso(lastSlot(sundayEvening, at('2025-06-01T17:59:00Z')))).toBe('2025-05-25T18:00:00.000Z');
    expect(iso(lastSlot(sundayEvening, at('2025-06-01T18:00:00Z')))).toBe('2025-06-01T18:00:00.000Z');
    expect(iso(lastSlot(sundayEvening, at('2025-06-02T00:00:00Z')))).toBe('2025-06-01T18:00:00.000Z');
    expect(iso(nextSlot(sundayEvening, at('2025-06-02T00:00:00Z')))).toBe('2025-06-08T18:00:00.000Z');

    // Sunday 09:00 in Sydney is still Saturday in UTC: the weekday is the local one.
    const sydneySunday: Schedule = { weekday: 'sun', time: '09:00', timezone: 'Australia/Sydney' };
    const saturdayUtc = at('2025-06-07T23:30:00Z'); // Sunday 09:30 AEST
    expect(iso(lastSlot(sydneySunday, saturdayUtc))).toBe('2025-06-07T23:00:00.000Z');
    expect(iso(nextSlot(sydneySunday, saturdayUtc))).toBe('2025-06-14T23:00:00.000Z');

    // A Sunday 02:30 Berlin schedule on the spring-forward Sunday fires right after the gap.
    const sundayNight: Schedule = { weekday: 'sun', time: '02:30', timezone: 'Europe/Berlin' };
    expect(iso(nextSlot(sundayNight, at('2025-03-29T12:00:00Z')))).toBe('2025-03-30T01:30:00.000Z');
    expect(iso(nextSlot(sundayNight, at('2025-10-25T12:00:00Z')))).toBe('2025-10-26T00:30:00.000Z');
  });

  it('always brackets now with two consecutive slots at the scheduled local time', () => {
    const zones = [
      'UTC',
      'Europe/Berlin',
      'America/New_York',
      'Australia/Sydney',
      'Asia/Kolkata',
      'Pacific/Auckland',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...WEEKDAYS),
        fc.integer({ min: 4, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.constantFrom(...zones),
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }),
        (weekday, hour, minute, timezone, nowMs) => {
          const time = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
          const schedule: Schedule = { weekday, time, timezone };
          const now = new Date(nowMs);
          const last = lastSlot(schedule, now);
          const next = nextSlot(schedule, now);
          expect(last.getTime()).toBeLessThanOrEqual(nowMs);
          expect(next.getTime()).toBeGreaterThan(nowMs);
          // Consecutive: the slot after `last` is `next`, and `last` is due at its own instant.
          expect(iso(nextSlot(schedule, last))).toBe(iso(next));
          expect(iso(lastSlot(schedule, last))).toBe(iso(last));
          // A week apart, give or take one DST change.
          expect(Math.abs(next.getTime() - last.getTime() - WEEK_MS)).toBeLessThanOrEqual(60 * 60 * 1000);
          for (const slot of [last, next]) {
            expect(localParts(slot, timezone)).toMatchObject({ weekday, hour, minute });
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('describing schedules', () => {
  it('describes a schedule in words', () => {
    expect(describeSchedule(berlinMonday)).toBe('Mondays at 10:00 (Europe/Berlin)');
    expect(describeSchedule({ weekday: 'sun', time: '9:05', timezone: 'UTC' })).toBe(
      'Sundays at 09:05 (UTC)',
    );
  });

  it('describes an instant in a zone', () => {
    expect(describeInstant(at('2025-03-31T08:00:00Z'), 'Europe/Berlin')).toBe('Monday 10:00 (Europe/Berlin)');
  });

  it('defaults to Mondays at 10:00', () => {
    expect(defaultSchedule('UTC')).toEqual({ weekday: 'mon', time: '10:00', timezone: 'UTC' });
  });
});
