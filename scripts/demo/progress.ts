/** One progress line: rewritten in place on a terminal, one plain line per update otherwise. */
export class Progress {
  private shown = false;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly tty: boolean,
  ) {}

  update(line: string): void {
    if (this.tty) {
      this.out.write(`\r\x1b[2K${line}`);
      this.shown = true;
    } else {
      this.out.write(`${line}\n`);
    }
  }

  /** Clears the line on a terminal, so what follows starts clean. */
  done(): void {
    if (this.tty && this.shown) this.out.write('\r\x1b[2K');
    this.shown = false;
  }
}
