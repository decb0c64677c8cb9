import type { Logger } from '@nestjs/common';
import { UserIdFilter } from '@hwp/cache';
import type { RedisClient } from '@hwp/service-kit';

// Room for the index to grow between two reads before the false positives rise (they only cost a lookup).
const GROWTH = 2;
const MIN_USERS = 100_000;
// A read that failed with no trusted copy, or that its index wants repeated (not built yet), is followed
// this soon by another, then twice as late each time, up to the refresh interval.
const FIRST_SOON_MS = 5_000;
// How long an instance's start waits for its first read of the index (reads ask the index until then).
const FIRST_READ_WAIT_MS = 3_000;

/** What differs between the indexes copied: how one is read, and what a read yields besides its users. */
export interface CopiedIndex<R> {
  /** For the log lines, e.g. 'segment index'. */
  readonly name: string;
  /** How many users the index lists now: the filter is sized for them, and room to grow. */
  count(): Promise<number>;
  /** Reads the whole index, handing its users to `add`; resolves to what else the read yields. */
  readInto(add: (userIds: readonly string[]) => void): Promise<R>;
  /**
   * Takes in a read the copy now trusts (of `users` users): what the log line says of it besides, and
   * whether to read again before the next refresh (the index is not whole yet).
   */
  adopt(read: R, users: number): { summary: string; readSoon: boolean };
}

/**
 * A filter of the users an index of the durable Redis lists (ADR 0028, ADR 0027): read whole at start and
 * every `refreshMs`, kept current between reads by the users announced (`listed`), and distrusted when
 * announcements may have been missed (`distrust`) until the next read. Until it is trusted it may hold
 * anyone.
 */
export class IndexCopy<R> {
  /** Undefined while not trusted. */
  private filter: UserIdFilter | undefined;
  /** Users listed while a read runs, added to the filter it makes (they may not be in what it read). */
  private listedMeanwhile: string[] | undefined;
  private reading = false;
  /** Distrusted while a read ran: that read may have missed what was lost. */
  private distrusted = false;
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private soonMs = FIRST_SOON_MS;

  constructor(
    private readonly redis: RedisClient,
    private readonly refreshMs: number,
    private readonly logger: Logger,
    private readonly index: CopiedIndex<R>,
  ) {}

  get trusted(): boolean {
    return this.filter !== undefined;
  }

  /** False only when the copy is trusted and sure the index does not list the user. */
  mayHold(userId: string): boolean {
    return this.filter?.mayHold(userId) ?? true;
  }

  /**
   * Reads the index, then again every `refreshMs`. Resolves once the first read has ended, or after
   * `waitMs` at most: an instance starts serving with its copy trusted, when the index can be read soon.
   */
  async start(waitMs = FIRST_READ_WAIT_MS): Promise<void> {
    const first = this.read();
    this.timer = setInterval(() => {
      if (!this.reading) void this.read();
    }, this.refreshMs);
    this.timer.unref();
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([first, new Promise((resolve) => (timeout = setTimeout(resolve, waitMs)))]);
    clearTimeout(timeout);
  }

  stop(): void {
    clearInterval(this.timer);
    clearTimeout(this.soon);
  }

  /** The index lists these users now. */
  listed(userIds: Iterable<string>): void {
    for (const userId of userIds) {
      this.filter?.add(userId);
      this.listedMeanwhile?.push(userId);
    }
  }

  distrust(): void {
    this.filter = undefined;
    // A read running now may have missed what was lost: it is not trusted either, and another follows.
    if (this.reading) this.distrusted = true;
    else void this.read();
  }

  /** Resolves when the read has ended, whether or not it succeeded. */
  private read(): Promise<void> {
    this.reading = true;
    this.distrusted = false;
    this.listedMeanwhile = [];
    const started = performance.now();
    return this.readIndex()
      .then(({ filter, read, users }) => {
        for (const userId of this.listedMeanwhile ?? []) filter.add(userId);
        if (this.distrusted) return;
        this.filter = filter;
        const { summary, readSoon } = this.index.adopt(read, users);
        this.logger.log(
          `${this.index.name} read: ${users} users, ${summary}, ${Math.round(performance.now() - started)} ms`,
        );
        if (readSoon) this.readSoon();
        else this.soonMs = FIRST_SOON_MS;
      })
      .catch((error: unknown) => {
        // A trusted copy stays: the announcements keep it current. An untrusted one is read again soon.
        this.logger.warn(`${this.index.name} not read: ${(error as Error).message}`);
        if (this.filter === undefined) this.readSoon();
      })
      .finally(() => {
        this.reading = false;
        this.listedMeanwhile = undefined;
        if (this.distrusted) void this.read();
      });
  }

  /** Another read before the next refresh: 5 s after the first time, twice as long each time after. */
  private readSoon(): void {
    clearTimeout(this.soon);
    this.soon = setTimeout(() => {
      if (!this.reading) void this.read();
    }, this.soonMs);
    this.soon.unref();
    this.soonMs = Math.min(this.refreshMs, this.soonMs * 2);
  }

  private async readIndex(): Promise<{ filter: UserIdFilter; read: R; users: number }> {
    // At start the connection may still be coming up, and commands fail rather than queue meanwhile.
    if (this.redis.status === 'connecting' || this.redis.status === 'connect')
      await new Promise((resolve) => this.redis.once('ready', resolve));
    const filter = new UserIdFilter(Math.max(MIN_USERS, (await this.index.count()) * GROWTH));
    let users = 0;
    const read = await this.index.readInto((userIds) => {
      for (const userId of userIds) filter.add(userId);
      users += userIds.length;
    });
    return { filter, read, users };
  }
}
