/**
 * Event ids already handled, so a retry Slack sends (X-Slack-Retry-Num) after a slow or lost
 * acknowledgement is not acted on twice. Bounded: the oldest ids are forgotten first. Slack retries
 * within minutes, three times at most, so the last thousand ids cover any realistic burst; a retry of an
 * event the process had not handled before a restart is handled then (as it should be).
 */
export class SeenEvents {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = 1000) {}

  /** True the first time an id is seen; false for every repeat. */
  first(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
    return true;
  }
}
