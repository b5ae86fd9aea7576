// What `npm start` runs. libuv sizes its thread pool once, at its first use, and loading an ES module is
// such a use: so this entry is CommonJS (read without the pool), sizes the pool, then loads the app.
// Two threads, not libuv's four: charts are drawn one at a time (the outbox sends one delivery at a time),
// and resvg's allocator keeps about 10 MB on every thread that ever drew one, so four threads that take
// turns drawing end up holding 44 MB where two hold 28 (README, "Other findings"). The second thread keeps
// the write-ahead log's syncs and DNS lookups from waiting behind a chart. An operator's own value wins.
process.env.UV_THREADPOOL_SIZE ??= '2';
// main.ts reports its own failures; this is for the app not loading at all (log.ts's errorMessage is an
// ES module, not loaded yet either).
import('./main.ts').catch((err: unknown) => {
  process.stderr.write(
    `teamhealth: could not load the app: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
