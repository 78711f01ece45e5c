/** Splits a byte stream into lines and hands them to one async consumer, buffering until read. */
export class LineQueue {
  private buf: string[] = [];
  private partial = "";
  private decoder = new TextDecoder("utf-8");
  private closed = false;
  private waiter: (() => void) | null = null;
  private consumed = false;

  /** Feed raw bytes (may end mid-line or mid-character). */
  pushBytes(chunk: Uint8Array): void {
    this.pushText(this.decoder.decode(chunk, { stream: true }));
  }

  pushText(text: string): void {
    if (this.closed || text.length === 0) return;
    const parts = (this.partial + text).split("\n");
    this.partial = parts.pop() ?? "";
    for (const part of parts) this.buf.push(part.endsWith("\r") ? part.slice(0, -1) : part);
    this.wake();
  }

  /** End of stream: a trailing line without newline is still delivered. */
  close(): void {
    if (this.closed) return;
    const rest = this.partial + this.decoder.decode();
    if (rest.length > 0) this.buf.push(rest);
    this.partial = "";
    this.closed = true;
    this.wake();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }

  async *iterate(): AsyncGenerator<string> {
    if (this.consumed) throw new Error("lines() can be consumed only once per job handle");
    this.consumed = true;
    for (;;) {
      if (this.buf.length > 0) {
        const batch = this.buf;
        this.buf = [];
        for (const outputLine of batch) yield outputLine;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }
}

/** Keeps the last `max` lines of a text (for error detail). */
export function lastLines(text: string, max: number): string[] {
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines.slice(-max);
}
