/**
 * The reply secrets of notes just stored, in memory only, until the author's "recorded" DM carries
 * theirs (see usecases/deliveries prepareDelivery). This is the one place that ever links a note's secret
 * to a person, and only for the seconds until that DM is sent: never on disk, in the outbox or a log.
 * Lost in a restart: that DM then goes without the button, and the note cannot be answered.
 */
export class ReplySecrets {
  private readonly secrets = new Map<string, Buffer>();

  private static key(roundId: number, userId: string): string {
    return `${roundId}:${userId}`;
  }

  get(roundId: number, userId: string): Buffer | undefined {
    return this.secrets.get(ReplySecrets.key(roundId, userId));
  }

  remember(roundId: number, userId: string, secret: Buffer): void {
    this.secrets.set(ReplySecrets.key(roundId, userId), secret);
  }

  forget(roundId: number, userId: string): void {
    this.secrets.delete(ReplySecrets.key(roundId, userId));
  }

  /** Everything held for one person (`/teamhealth forget-me`). */
  forgetPerson(userId: string): void {
    for (const key of this.secrets.keys()) if (key.endsWith(`:${userId}`)) this.secrets.delete(key);
  }
}
