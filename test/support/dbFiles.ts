// What someone holding the database files could read in them, byte by byte.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

/** The bytes of the write-ahead log beside a database file: empty once checkpointed and truncated. */
export function walOf(dbPath: string): Buffer {
  try {
    return readFileSync(`${dbPath}-wal`);
  } catch {
    return Buffer.alloc(0);
  }
}

/**
 * Checks that each text is in the database file exactly once, and that the texts are laid out in the
 * order given (the order of their rows' random keys), one way or the other — not in the order they
 * arrived: SQLite appends rows in a page in arrival order, and only the scrub's rewrite reorders them.
 */
export function expectLaidOutInOrder(dbPath: string, textsInKeyOrder: readonly string[]): void {
  const file = readFileSync(dbPath);
  const offsets = textsInKeyOrder.map((text) => {
    const first = file.indexOf(text);
    expect(first, `${text} in the file`).toBeGreaterThan(0);
    expect(file.indexOf(text, first + 1), `${text} appears twice`).toBe(-1);
    return first;
  });
  const ascending = offsets.every((o, i) => i === 0 || o > (offsets[i - 1] as number));
  const descending = offsets.every((o, i) => i === 0 || o < (offsets[i - 1] as number));
  expect(ascending || descending, 'rows are laid out by key').toBe(true);
}
