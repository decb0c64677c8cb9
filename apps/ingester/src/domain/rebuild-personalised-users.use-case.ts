import type { PersonalisedUsers } from './ports';

/** The index's side of a rebuild (libs/cache's personalised-users index on the durable Redis). */
export interface PersonalisedUsersIndex extends PersonalisedUsers {
  /** The buckets that do not yet list every user of the database. */
  incompleteBuckets(): Promise<number[]>;
  markComplete(buckets: number[]): Promise<void>;
  /** One rebuild at a time over all ingesters: true when this one may run it (for `leaseMs`, renewable). */
  lease(leaseMs: number): Promise<boolean>;
  release(): Promise<void>;
}

export interface AudiencePage {
  userIds: string[];
  /** Where the next page starts; undefined after the last one. */
  next?: string;
}

/** The database's side: users with a personalised widget row, page by page. */
export interface PersonalisedAudiences {
  /** Up to `limit` users, from the start or from where the previous page's `next` says. */
  page(limit: number, after?: string): Promise<AudiencePage>;
}

export type RebuildOutcome =
  | { outcome: 'complete' }
  | { outcome: 'held elsewhere' }
  | { outcome: 'rebuilt'; users: number; buckets: number };

const PAGE = 5_000;

/**
 * Fills the personalised-users index from the core database when some bucket is not complete (a new
 * deployment, or a durable Redis that lost its data), then marks those buckets complete. Users the
 * ingester applies meanwhile are listed by IngestBatch itself, before their ack, so a user committed
 * after the scan passed them is listed all the same.
 */
export class RebuildPersonalisedUsers {
  constructor(
    private readonly index: PersonalisedUsersIndex,
    private readonly database: PersonalisedAudiences,
    private readonly leaseMs: number,
    private readonly progress: (usersSoFar: number) => void = () => undefined,
  ) {}

  async run(): Promise<RebuildOutcome> {
    const incomplete = await this.index.incompleteBuckets();
    if (incomplete.length === 0) return { outcome: 'complete' };
    if (!(await this.index.lease(this.leaseMs))) return { outcome: 'held elsewhere' };
    try {
      let users = 0;
      let after: string | undefined;
      do {
        const page = await this.database.page(PAGE, after);
        await this.index.list(page.userIds);
        users += page.userIds.length;
        after = page.next;
        this.progress(users);
        // Renewed page by page: a rebuild that stalls loses the lease to another ingester.
        if (!(await this.index.lease(this.leaseMs))) return { outcome: 'held elsewhere' };
      } while (after !== undefined);
      await this.index.markComplete(incomplete);
      return { outcome: 'rebuilt', users, buckets: incomplete.length };
    } finally {
      await this.index.release();
    }
  }
}
