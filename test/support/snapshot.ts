// A read-only picture of everything the app stored, for "this request changed nothing" checks.
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';

export interface TableSnapshot {
  count: number;
  /** Every row as JSON (blobs as hex), sorted, so the comparison ignores physical row order. */
  rows: string[];
  hash: string;
}

export interface DbSnapshot {
  /** The schema itself (`sqlite_master`), so a dropped or altered table shows. */
  schema: string[];
  tables: Record<string, TableSnapshot>;
}

const cell = (v: unknown): unknown => (Buffer.isBuffer(v) ? `x'${v.toString('hex')}'` : v);

export const rowKey = (row: Record<string, unknown>): string =>
  JSON.stringify(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, cell(v)])));

/** Reads every table of the database file through a separate read-only connection. */
export function snapshotDb(path: string): DbSnapshot {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const master = db
      .prepare<[], { type: string; name: string; sql: string | null }>(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
      )
      .all();
    const tables: Record<string, TableSnapshot> = {};
    for (const { name } of master.filter((m) => m.type === 'table')) {
      const rows = db
        .prepare<[], Record<string, unknown>>(`SELECT * FROM "${name.replace(/"/g, '""')}"`)
        .all()
        .map(rowKey)
        .sort();
      tables[name] = {
        count: rows.length,
        rows,
        hash: createHash('sha256').update(rows.join('\n')).digest('hex'),
      };
    }
    return { schema: master.map((m) => `${m.type} ${m.name}: ${m.sql ?? ''}`), tables };
  } finally {
    db.close();
  }
}

/** Rows of one table, parsed back from a snapshot. */
export const rowsOf = (snap: DbSnapshot, table: string): Array<Record<string, unknown>> =>
  (snap.tables[table]?.rows ?? []).map((r) => JSON.parse(r) as Record<string, unknown>);
