import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, type Migration, type MigrationContext } from './migrations.ts';

export type Db = Database.Database;

/**
 * Opens (creating folder and file as needed) the SQLite database and brings its schema up to date.
 * `context.minResponses`: the threshold rounds stored before version 3 were shown under (the app's
 * MIN_RESPONSES; DESIGN's default when a tool opens a new file).
 */
export function openDatabase(path: string, context: MigrationContext = { minResponses: 5 }): Db {
  if (path !== ':memory:') {
    // Only the app's own user may read the files: folder 0700, database 0600 (SQLite gives the -wal and
    // -shm files the database file's mode).
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    closeSync(openSync(path, 'a', 0o600));
    chmodSync(path, 0o600);
  }
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // FULL: an answer acknowledged to a member survives even a power cut, not just a crash.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Deleted answers and invites are overwritten, not left readable in free pages.
  db.pragma('secure_delete = ON');
  // SQLite's own default page cache (2 MB), not the 16 MB better-sqlite3 builds in: the OS caches the
  // file anyway, and a report or digest reads a few pages per team (bench: digest time unchanged, ~12 MB
  // less resident memory with 600k answers loaded).
  db.pragma('cache_size = -2000');
  migrate(db, context);
  return db;
}

export function migrate(db: Db, context: MigrationContext): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `The database is at schema version ${current}, newer than this code knows (${MIGRATIONS.length}).`,
    );
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    const migration = MIGRATIONS[v] as Migration;
    db.transaction(() => {
      if (typeof migration === 'string') db.exec(migration);
      else migration(db, context);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
