import type { CachedWidget, IndexedUser, WidgetHash } from '@hwp/cache';
import type { Audience } from '@hwp/widget-events';
import type {
  CacheKind,
  CacheLevel,
  LookupResult,
  PersonalisedUsersCopy,
  PersonalisedUsersLookup,
  ReadPathMetrics,
  RefreshRequests,
  StoredWidgets,
  WidgetCacheStore,
  WidgetDatabase,
} from '../src/domain/home.ports';
import type { SegmentMemberships } from '../src/domain/segment-memberships.port';

/** In-memory fakes of the read path's ports, for the domain's unit tests. */

export const widgetJson = (id: string, type = 'card') =>
  JSON.stringify({ type, id, children: [{ type: 'text', id: `${id}-text`, text: `text of ${id}` }] });

export const stored = (entries: Record<string, [number, string | null]>): Map<string, CachedWidget> =>
  new Map(
    Object.entries(entries).map(([productId, [dataVersion, widget]]) => [productId, { dataVersion, widget }]),
  );

export class FakeCacheStore implements WidgetCacheStore {
  readonly hashes = new Map<Audience, WidgetHash>();
  reads = 0;
  down = false;

  async read(audience: Audience): Promise<WidgetHash | undefined> {
    this.reads += 1;
    if (this.down) throw new Error('cache Redis down');
    return this.hashes.get(audience);
  }

  async refill(audience: Audience, widgets: StoredWidgets): Promise<void> {
    if (this.down) throw new Error('cache Redis down');
    if (widgets.size > 0) this.hashes.set(audience, { widgets: new Map(widgets), complete: true });
  }
}

export class FakeDatabase implements WidgetDatabase {
  readonly rows = new Map<Audience, Map<string, CachedWidget>>();
  slots: string[] = [];
  reads = 0;
  down = false;

  async widgets(audience: Audience): Promise<StoredWidgets> {
    this.reads += 1;
    if (this.down) throw new Error('postgres down');
    return this.rows.get(audience) ?? new Map();
  }

  async layout(): Promise<string[]> {
    if (this.down) throw new Error('postgres down');
    return this.slots;
  }
}

/** The personalised-users index: not built (every user unknown) until `complete` is set. */
export class FakePersonalisedUsers implements PersonalisedUsersLookup {
  readonly listed = new Set<string>();
  complete = false;
  down = false;

  async lookUp(userId: string): Promise<IndexedUser> {
    if (this.down) throw new Error('durable Redis down');
    if (this.listed.has(userId)) return 'listed';
    return this.complete ? 'unlisted' : 'unknown';
  }
}

/** This instance's copy of the index: sure of nothing but the users `withNothing` names. */
export class FakePersonalisedUsersCopy implements PersonalisedUsersCopy {
  readonly withNothing = new Set<string>();
  readonly listedUsers: string[] = [];
  distrusted = 0;

  /** Users the copy holds, answered as listed without asking the index. */
  readonly holds = new Set<string>();

  hasNothing(userId: string): boolean {
    return this.withNothing.has(userId);
  }

  answersFor(userId: string): boolean {
    return this.withNothing.has(userId) || this.holds.has(userId);
  }

  listed(userId: string): void {
    this.withNothing.delete(userId);
    this.listedUsers.push(userId);
  }

  distrust(): void {
    this.distrusted += 1;
    this.withNothing.clear();
    this.holds.clear();
  }
}

export class FakeRefreshRequests implements RefreshRequests {
  readonly requested: string[] = [];
  request(userId: string): void {
    this.requested.push(userId);
  }
}

export class FakeMetrics implements ReadPathMetrics {
  readonly lookups: string[] = [];
  stale = 0;
  lookup(level: CacheLevel, kind: CacheKind, result: LookupResult): void {
    this.lookups.push(`${level} ${kind} ${result}`);
  }
  readonly loads: string[] = [];
  loadSeconds(level: CacheLevel, kind: CacheKind): void {
    this.loads.push(`${level} ${kind}`);
  }
  staleResponse(): void {
    this.stale += 1;
  }
  count(entry: string): number {
    return this.lookups.filter((lookup) => lookup === entry).length;
  }
}

/** Segments by user; `asked` counts the lookups, `answersLater` makes them asynchronous (a Redis round trip). */
export class FakeSegmentMemberships implements SegmentMemberships {
  readonly byUser = new Map<string, string[]>();
  asked = 0;
  answersLater = false;

  of(userId: string): readonly string[] | Promise<readonly string[]> {
    this.asked += 1;
    const segments = this.byUser.get(userId) ?? [];
    return this.answersLater ? Promise.resolve(segments) : segments;
  }
}
