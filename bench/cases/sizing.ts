import { startFakeSlack } from '../../tools/fakeSlack.ts';
import { slashCommandBody } from '../../tools/signing.ts';
import { type Memory, startHost } from '../lib/child.ts';
import { signedPost } from '../lib/client.ts';
import { appEnv, SECRET, sleep, withTimeout } from '../lib/common.ts';
import { leadId } from '../lib/history.ts';
import type { Progress } from '../lib/progress.ts';
import { messageTextOf } from '../lib/text.ts';

export interface SizingRun {
  /** `/teamhealth digest` of the one lead of every team: until the reply, first (cold) and then warm. */
  digestColdMs: number;
  digestMs: number[];
  digestBlocks: number;
  /** The worst event-loop delay while the digests were built. */
  stallMs: number;
  /** Two seconds after start, and at the end (peak: the digests, from the start's end). */
  idle: Memory;
  end: Memory;
}

/**
 * The measured half of the sizing for a large organisation: a lead of every team of the generated
 * history (1,000 teams, two years) asks for their digest, on the app as `npm start` runs it. The rest of
 * the sizing (bench/run.ts) projects from this and the other cases' figures.
 */
export async function sizingCase(o: {
  historyPath: string;
  dir: string;
  digestRuns: number;
  progress: Progress;
}): Promise<SizingRun> {
  const replies = new Map<string, (at: number) => void>();
  const fake = await startFakeSlack({
    onCall: (c) => {
      if (c.responseUrlId) replies.get(c.responseUrlId)?.(performance.now());
    },
  });
  const app = await startHost('app', appEnv(o.historyPath, fake.url), o.dir);
  try {
    await sleep(2000);
    const idle = await app.memory();
    await app.resetPeak();
    await app.loopDelay();
    let seq = 0;
    const digest = async () => {
      const id = `s${++seq}`;
      const replied = new Promise<number>((resolve) => replies.set(id, resolve));
      const body = slashCommandBody({ text: 'digest', userId: leadId(1), responseUrl: fake.responseUrl(id) });
      const started = performance.now();
      const res = await signedPost(app.url, body, SECRET);
      if (res.status !== 200) throw new Error(`digest answered ${res.status} ${res.text}`);
      const at = await withTimeout(replied, 60_000, 'the digest of a lead of every team');
      const reply = fake.calls.find((c) => c.responseUrlId === id)?.body ?? {};
      if (!/team-\d{4}/.test(messageTextOf(reply))) throw new Error('the digest did not list the teams');
      return { ms: at - started, blocks: Array.isArray(reply.blocks) ? reply.blocks.length : 0 };
    };
    const cold = await digest();
    const digestMs: number[] = [];
    for (let r = 0; r < o.digestRuns; r++) {
      o.progress.detail(`digest of a lead of every team ${r + 1}/${o.digestRuns}`);
      digestMs.push((await digest()).ms);
    }
    const { maxMs } = await app.loopDelay();
    const end = await app.memory();
    return { digestColdMs: cold.ms, digestMs, digestBlocks: cold.blocks, stallMs: maxMs, idle, end };
  } finally {
    await app.stop();
    await fake.close();
  }
}
