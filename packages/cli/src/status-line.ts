/**
 * The "what is my task doing" line on stderr while a command waits.
 * On a TTY: one line rewritten in place (`task <id> RUNNING 12s`), refreshed every second.
 * Elsewhere (logs, CI): one line per status change, so the log stays readable.
 */

/** Where the line goes; `process.stderr` fits. */
export interface StatusStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
}

export class StatusLine {
  private readonly started = Date.now();
  private lastText = '';
  private lastStatus = '';
  private timer: NodeJS.Timeout | undefined;
  private shown = false;

  private finished = false;

  constructor(
    private readonly stream: StatusStream,
    private readonly label: string,
    private readonly enabled = true,
  ) {}

  /** Reports a status (e.g. `PENDING`, `RUNNING`); prints on change (non-TTY) or redraws (TTY). */
  update(status: string, detail = ''): void {
    if (!this.enabled || this.finished) return;
    const changed = status !== this.lastStatus || detail !== this.lastText;
    this.lastStatus = status;
    this.lastText = detail;
    if (this.stream.isTTY) {
      this.draw();
      this.timer ??= setInterval(() => this.draw(), 1000).unref();
    } else if (changed) {
      this.stream.write(`${this.render()}\n`);
    }
  }

  /** Prints a full message line (clearing the TTY line first). */
  note(message: string): void {
    if (!this.enabled) return;
    this.clear();
    this.stream.write(`${message}\n`);
    if (this.stream.isTTY && this.lastStatus && !this.finished) this.draw();
  }

  /** Stops refreshing and ends the line; later updates are ignored. */
  done(): void {
    this.finished = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.enabled && this.stream.isTTY && this.shown) this.stream.write(`\r${this.render()}\x1b[K\n`);
    this.shown = false;
  }

  private render(): string {
    const seconds = Math.floor((Date.now() - this.started) / 1000);
    const parts = [this.label, this.lastStatus, `${seconds}s`];
    if (this.lastText) parts.push(this.lastText);
    return parts.filter(Boolean).join(' ');
  }

  private draw(): void {
    this.stream.write(`\r${this.render()}\x1b[K`);
    this.shown = true;
  }

  private clear(): void {
    if (this.stream.isTTY && this.shown) this.stream.write('\r\x1b[K');
    this.shown = false;
  }
}
