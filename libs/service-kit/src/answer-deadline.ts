/**
 * Fails the promises it watches that have not settled `timeoutMs` after they were handed to it, with one
 * interval timer for all of them instead of a timer each. For the hot read path's Redis reads: a timer
 * and a race per read (withTimeout), or ioredis' own commandTimeout, cost a quarter to a half of what the
 * Redis command itself costs in CPU (docs/adr/0015-cold-reads.md).
 *
 * Every promise gets the same timeout, so deadlines come in the order promises were added: they are kept
 * in a ring, and a sweep every quarter of the timeout fails those whose deadline has passed, from the
 * oldest on. A promise fails between `timeoutMs` and 1.25 × `timeoutMs` after it was added. A settled
 * promise leaves nothing behind but a number in the ring, so the read's objects die young.
 */
export class AnswerDeadline {
  private deadlines = new Float64Array(1024);
  /** The sequence number of the promise a slot belongs to (a slot is reused once the ring wraps). */
  private owners = new Float64Array(1024);
  private rejects: (((error: Error) => void) | undefined)[] = new Array<undefined>(1024).fill(undefined);
  /** Sequence numbers: the oldest promise still in the ring, and the next one to be added. */
  private head = 0;
  private next = 0;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly timeoutMs: number,
    /** Who did not answer, for the error: "cache Redis". */
    private readonly what: string,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.sweeper = setInterval(() => this.sweep(), Math.max(1, timeoutMs / 4));
    this.sweeper.unref();
  }

  /** `promise`, or an error once it has not settled within the timeout. */
  watch<T>(promise: Promise<T>): Promise<T> {
    if (this.next - this.head === this.deadlines.length) this.grow();
    const sequence = this.next++;
    const slot = sequence % this.deadlines.length;
    this.deadlines[slot] = this.now() + this.timeoutMs;
    this.owners[slot] = sequence;
    return new Promise<T>((resolve, reject) => {
      this.rejects[slot] = reject;
      promise.then(
        (value) => {
          this.settled(sequence);
          resolve(value);
        },
        (error: unknown) => {
          this.settled(sequence);
          reject(error);
        },
      );
    });
  }

  /** Stops the sweeps (shutdown); promises still watched then are left to settle on their own. */
  close(): void {
    clearInterval(this.sweeper);
  }

  /** Fails every promise past its deadline and drops the settled ones at the head of the ring. */
  sweep(): void {
    const now = this.now();
    while (this.head < this.next) {
      const slot = this.head % this.deadlines.length;
      const reject = this.rejects[slot];
      if (reject !== undefined) {
        if ((this.deadlines[slot] ?? 0) > now) return;
        this.rejects[slot] = undefined;
        reject(new Error(`${this.what} did not answer within ${this.timeoutMs} ms`));
      }
      this.head++;
    }
  }

  /** Forgets a settled promise's reject (its slot may have moved since: the ring grows). */
  private settled(sequence: number): void {
    const slot = sequence % this.deadlines.length;
    if (this.owners[slot] === sequence) this.rejects[slot] = undefined;
  }

  /** A ring twice the size, its promises in the same order from slot 0 (the ring was full). */
  private grow(): void {
    const size = this.deadlines.length;
    const deadlines = new Float64Array(size * 2);
    const owners = new Float64Array(size * 2);
    const rejects = new Array<((error: Error) => void) | undefined>(size * 2).fill(undefined);
    for (let sequence = this.head; sequence < this.next; sequence++) {
      const from = sequence % size;
      const to = sequence % (size * 2);
      deadlines[to] = this.deadlines[from] ?? 0;
      owners[to] = sequence;
      rejects[to] = this.rejects[from];
    }
    [this.deadlines, this.owners, this.rejects] = [deadlines, owners, rejects];
  }
}
