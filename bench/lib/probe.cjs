// Measurement probe, preloaded into every app the bench starts (`node <npm start flags> --require probe.cjs
// <entry>`); never part of the app or of `npm start`. Plain CommonJS, so the app runs without a loader and
// loading the probe does not start libuv's thread pool before the app's entry sizes it (src/start.cts).
//
// - The event loop's worst delay (perf_hooks.monitorEventLoopDelay), counted from the moment the app
//   starts listening: module loading is not a stall anyone waits behind, the first tick after start is.
// - Memory: resident set now and at its peak (VmHWM), and what V8 holds; the peak can be reset (Linux
//   clear_refs), to tell the start from the work that follows.
// - CPU time the process has used so far, on every thread (process.cpuUsage): what a piece of work costs
//   the machine, steadier than how long it waits.
// Answers the bench over the IPC channel: {probe: 'loopDelay' | 'memory' | 'resetPeak' | 'cpu', id} -> {id, ...}.
const { readFileSync, writeFileSync } = require('node:fs');
const { Server } = require('node:net');
const { monitorEventLoopDelay } = require('node:perf_hooks');

const delay = monitorEventLoopDelay({ resolution: 5 });
delay.enable();

const listen = Server.prototype.listen;
Server.prototype.listen = function (...args) {
  this.once('listening', () => delay.reset());
  return listen.apply(this, args);
};

function memory() {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  const m = process.memoryUsage();
  return {
    rss: m.rss,
    peakRss: kb('VmHWM') || m.rss,
    rssAnon: kb('RssAnon'),
    rssFile: kb('RssFile'),
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
  };
}

if (process.send) {
  process.on('message', (m) => {
    if (m?.probe === 'loopDelay') {
      // The worst delay since the last ask (or since listening), then start a new window.
      process.send({ id: m.id, maxMs: delay.max / 1e6, p99Ms: delay.percentile(99) / 1e6 });
      delay.reset();
    } else if (m?.probe === 'memory') process.send({ id: m.id, ...memory() });
    else if (m?.probe === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send({ id: m.id, ms: (user + system) / 1000 });
    } else if (m?.probe === 'resetPeak') {
      writeFileSync('/proc/self/clear_refs', '5');
      process.send({ id: m.id });
    }
  });
  // The channel must not keep the app alive: it stops as it would without the bench.
  process.channel?.unref();
}
