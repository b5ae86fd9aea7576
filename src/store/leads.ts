import type { Weekday } from '../domain/schedule.ts';
import type { Db } from './db.ts';

export interface LeadSettings {
  leadId: string;
  weekday: Weekday;
  time: string;
  timezone: string;
  /** Digest times before this instant (epoch ms) never send. */
  since: number;
}

interface Row {
  lead_id: string;
  weekday: string;
  time: string;
  timezone: string;
  since: number;
}

const toSettings = (r: Row): LeadSettings => ({
  leadId: r.lead_id,
  weekday: r.weekday as Weekday,
  time: r.time,
  timezone: r.timezone,
  since: r.since,
});

export type LeadStore = ReturnType<typeof leadStore>;

export function leadStore(db: Db) {
  const get = db.prepare<[string], Row>('SELECT * FROM lead_settings WHERE lead_id = ?');
  const ensure = db.prepare<[string, string, number]>(
    'INSERT OR IGNORE INTO lead_settings (lead_id, timezone, since) VALUES (?, ?, ?)',
  );
  const setZone = db.prepare<[string, string]>('UPDATE lead_settings SET timezone = ? WHERE lead_id = ?');
  const setSchedule = db.prepare<[string, string, string, number, string]>(
    'UPDATE lead_settings SET weekday = ?, time = ?, timezone = ?, since = ? WHERE lead_id = ?',
  );
  const markSent = db.prepare<[string, number]>(
    'INSERT OR IGNORE INTO digests_sent (lead_id, slot) VALUES (?, ?)',
  );
  const wasSent = db.prepare<[string, number], { n: number }>(
    'SELECT count(*) AS n FROM digests_sent WHERE lead_id = ? AND slot = ?',
  );
  const pruneSent = db.prepare<[number]>('DELETE FROM digests_sent WHERE slot < ?');

  return {
    settings: (leadId: string): LeadSettings | undefined => {
      const r = get.get(leadId);
      return r && toSettings(r);
    },
    /** Gives a lead their default digest schedule (Monday 09:00 in `timezone`) unless they have one. */
    ensure: (leadId: string, timezone: string, now: Date): LeadSettings => {
      ensure.run(leadId, timezone, now.getTime());
      return toSettings(get.get(leadId) as Row);
    },
    setTimezone: (leadId: string, timezone: string): void => {
      setZone.run(timezone, leadId);
    },
    setSchedule: (leadId: string, weekday: Weekday, time: string, timezone: string, now: Date): void => {
      setSchedule.run(weekday, time, timezone, now.getTime(), leadId);
    },
    /** True when this call recorded the digest for that slot, so it is queued exactly once. */
    markSent: (leadId: string, slot: Date): boolean => markSent.run(leadId, slot.getTime()).changes === 1,
    /** Whether the digest for that slot was queued already (so it is not built again for nothing). */
    wasSent: (leadId: string, slot: Date): boolean => (wasSent.get(leadId, slot.getTime())?.n ?? 0) > 0,
    /** Digest slots older than the cutoff can never be due again. */
    pruneSentBefore: (cutoff: Date): void => {
      pruneSent.run(cutoff.getTime());
    },
  };
}
