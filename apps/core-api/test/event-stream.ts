/** A Server-Sent Events client over fetch (EventSource cannot send an Authorization header). */

export interface StreamMessage {
  /** The event name, or "comment" for a comment line (heartbeats). */
  event: string;
  data: string;
}

export class EventStream {
  private readonly messages: StreamMessage[] = [];
  private readonly waiting: (() => void)[] = [];
  private buffer = '';
  private ended = false;

  private constructor(
    readonly response: Response,
    private readonly abort: AbortController,
  ) {
    void this.pump(response.body!.getReader());
  }

  /** Opens a stream; a refused one (not 200) comes back with its response and no stream. */
  static async open(
    url: string,
    bearer: string | undefined,
  ): Promise<{ response: Response; stream?: EventStream }> {
    const abort = new AbortController();
    const response = await fetch(url, {
      headers: bearer === undefined ? {} : { authorization: `Bearer ${bearer}` },
      signal: abort.signal,
    });
    return response.status === 200 ? { response, stream: new EventStream(response, abort) } : { response };
  }

  /** The next message named `event` (others are skipped), waiting at most `timeoutMs`. */
  async next(event = 'widget-changed', timeoutMs = 5_000): Promise<StreamMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.messages.findIndex((message) => message.event === event);
      if (index >= 0) return this.messages.splice(0, index + 1).at(-1)!;
      if (this.ended) throw new Error(`the stream ended before a ${event} message`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${event} message within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiting.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.abort.abort();
  }

  private async pump(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        this.buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = this.buffer.indexOf('\n\n')) >= 0) {
          this.parse(this.buffer.slice(0, end));
          this.buffer = this.buffer.slice(end + 2);
        }
      }
    } catch {
      // aborted by close()
    } finally {
      this.ended = true;
      this.wake();
    }
  }

  private parse(block: string): void {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.messages.push({ event: 'comment', data: line.slice(1).trim() });
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length) this.messages.push({ event, data: data.join('\n') });
    this.wake();
  }

  private wake(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}
