// Users that no earlier request of the run named, for the load generator: each run gets a file of bearer
// tokens of the next users, signed before the run starts (outside the timed window), and sends them in
// order, each at most once. The users are the `first` ids given (e.g. the data set's), then ids that exist
// nowhere: a random prefix of the run and a counter, never in the data set, never seen by any instance.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { BenchDataSet } from './data-set';
import type { AuthorizationFeed, LoadResult } from './load-generator';

/** A run's file holds this many times the fastest rate seen so far times its seconds. */
const HEADROOM = 2;

export class DistinctUsers implements AuthorizationFeed {
  private readonly prefix = `new-${randomBytes(4).toString('hex')}`;
  private readonly first: readonly string[];
  private readonly limit: number;
  /** Users whose tokens a run has sent: the next run starts after them. */
  sent = 0;
  /** Authorization values of users sent, sent + 1, ...: signed ahead, kept until a run sends them. */
  private signed: string[] = [];
  /** Values in the file of the run under way. */
  private inFile = 0;
  private fastest: number;
  /** Requests that named a user again: a run outran its file and the load generator started it over. */
  repeated = 0;
  /** Users answered 2xx at least once, over every run (at most one per value in a run's file). */
  served = 0;

  constructor(
    private readonly file: string,
    options: {
      /** req/s to size the first run's file for; later runs use the fastest rate seen. */
      expectedRate: number;
      first?: readonly string[];
      /** Users in all: files stop growing there (the last run may then repeat some). */
      limit?: number;
    },
  ) {
    this.fastest = options.expectedRate;
    this.first = options.first ?? [];
    this.limit = options.limit ?? Infinity;
  }

  /** The i-th user of the feed. */
  userId(i: number): string {
    return this.first[i] ?? `${this.prefix}-${i - this.first.length}`;
  }

  fileFor(seconds: number): string {
    const wanted = Math.max(1, Math.ceil(HEADROOM * this.fastest * seconds));
    this.inFile = Math.min(wanted, this.limit - this.sent);
    if (this.inFile <= 0) throw new Error(`all ${this.limit} distinct users have been sent`);
    for (let i = this.sent + this.signed.length; this.signed.length < this.inFile; i++)
      this.signed.push(`Bearer ${BenchDataSet.token(this.userId(i))}`);
    writeFileSync(this.file, `${this.signed.slice(0, this.inFile).join('\n')}\n`);
    return this.file;
  }

  ended(result: LoadResult): void {
    const spent = Math.min(result.sent, this.inFile);
    this.signed.splice(0, spent);
    this.sent += spent;
    this.repeated += result.sent - spent;
    this.served += Math.min(result.requests - result.non2xx, this.inFile);
    this.fastest = Math.max(this.fastest, result.requestsPerSecond);
  }
}
