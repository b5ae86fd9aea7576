/**
 * The keys of open rounds, in memory only: a round key never reaches the disk. It is made when a round
 * opens, travels in each check-in button (Slack keeps it in the member's own DM), and is learned back
 * from any click or submission after a restart.
 */
export class RoundKeys {
  private readonly keys = new Map<number, Buffer>();

  get(roundId: number): Buffer | undefined {
    return this.keys.get(roundId);
  }

  remember(roundId: number, key: Buffer): void {
    this.keys.set(roundId, key);
  }

  forget(roundId: number): void {
    this.keys.delete(roundId);
  }
}
