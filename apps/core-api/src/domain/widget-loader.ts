import type { CachedWidget, IndexedUser, WidgetHash } from '@hwp/cache';
import { audienceUser, type Audience } from '@hwp/widget-events';
import type {
  CacheKind,
  CacheLevel,
  PersonalisedUsersCopy,
  PersonalisedUsersLookup,
  ReadPathMetrics,
  RefreshRequests,
  StoredWidgets,
  WidgetCacheStore,
  WidgetDatabase,
} from './home.ports';

/** What a user with no personalised widget has: one shared empty set. */
export const NO_WIDGETS: StoredWidgets = new Map();

const l2Result = (hash: WidgetHash | undefined) =>
  hash === undefined ? 'miss' : hash.complete ? 'hit' : 'partial';
const indexResult = (found: IndexedUser) =>
  found === 'listed' ? 'hit' : found === 'unlisted' ? 'miss' : 'partial';
const l3Result = (rows: StoredWidgets) => (rows.size > 0 ? 'hit' : 'miss');

/**
 * What an in-process miss loads, level by level: the cache Redis (L2) when it holds the audience's
 * complete set, else the core database (L3), which refills L2. For a user L2 has no hash for, the
 * personalised-users index is asked next: when it does not list the user, they have nothing and the
 * database is not asked. A user found nowhere is cold: the read goes on with the generic widgets and a
 * refresh is requested for them. The index is asked after L2 rather than beside it, so that a returning
 * user (an L2 hit, the common miss) costs one round trip; a cold user pays a second one, not more CPU.
 * Before either, this instance's copy of the index may already know that the user has nothing: then no
 * level is asked at all (`nothingFor`).
 */
export class WidgetLoader {
  constructor(
    private readonly l2: WidgetCacheStore,
    private readonly index: PersonalisedUsersLookup,
    private readonly copy: PersonalisedUsersCopy,
    private readonly l3: WidgetDatabase,
    private readonly refresh: RefreshRequests,
    private readonly metrics: ReadPathMetrics,
  ) {}

  /**
   * True when the copy of the index is sure the user has no personalised widget: counted as the index's
   * miss and a refresh requested, without a round trip. False: load the user's widgets (`widgets`).
   */
  nothingFor(userId: string): boolean {
    if (!this.copy.hasNothing(userId)) return false;
    this.metrics.lookup('index', 'user', 'miss');
    this.refresh.request(userId);
    return true;
  }

  /** An invalidation named the user: the copy of the index lists them from now on. */
  listed(userId: string): void {
    this.copy.listed(userId);
  }

  /** Invalidations may have been missed. */
  distrustCopy(): void {
    this.copy.distrust();
  }

  async widgets(audience: Audience): Promise<StoredWidgets> {
    const userId = audienceUser(audience);
    const kind: CacheKind = userId === undefined ? 'generic' : 'user';
    let cached: WidgetHash | undefined;
    let l2Failed = false;
    try {
      cached = await this.measure('l2', kind, this.l2.read(audience), l2Result);
    } catch {
      l2Failed = true; // counted; the database answers instead
    }
    if (cached?.complete) return cached.widgets;
    if (userId !== undefined && cached === undefined && (await this.indexSays(userId)) === 'unlisted') {
      this.refresh.request(userId);
      return NO_WIDGETS;
    }

    const stored = await this.measure('l3', kind, this.l3.widgets(audience), l3Result);
    if (!l2Failed) await this.l2.refill(audience, stored).catch(() => undefined); // next miss retries it
    if (userId !== undefined && cached === undefined && stored.size === 0) this.refresh.request(userId);
    return cached === undefined ? stored : newest(cached.widgets, stored);
  }

  /**
   * What the index says of the user: the copy's answer when it answers for them (it holds them, or
   * `nothingFor` would have answered), else the index's own; 'unknown' when it cannot be asked (the
   * database answers then).
   */
  private indexSays(userId: string): IndexedUser | Promise<IndexedUser> {
    if (!this.copy.answersFor(userId)) return this.lookUp(userId);
    this.metrics.lookup('index', 'user', 'hit');
    return 'listed';
  }

  private lookUp(userId: string): Promise<IndexedUser> {
    return this.measure('index', 'user', this.index.lookUp(userId), indexResult).catch(
      (): IndexedUser => 'unknown',
    );
  }

  layout(): Promise<string[]> {
    return this.measure('l3', 'layout', this.l3.layout(), () => 'hit');
  }

  /** Counts the load's result and time; one promise after the load's own. */
  private measure<T>(
    level: Exclude<CacheLevel, 'l1'>,
    kind: CacheKind,
    load: Promise<T>,
    result: (value: T) => 'hit' | 'miss' | 'partial',
  ): Promise<T> {
    const started = performance.now();
    return load.then(
      (value) => {
        this.metrics.lookup(level, kind, result(value));
        this.metrics.loadSeconds(level, kind, (performance.now() - started) / 1000);
        return value;
      },
      (error: unknown) => {
        this.metrics.lookup(level, kind, 'error');
        this.metrics.loadSeconds(level, kind, (performance.now() - started) / 1000);
        throw error;
      },
    );
  }
}

/** Per product, the higher version of the two (a partial L2 hash may hold writes newer than the read of L3). */
function newest(a: StoredWidgets, b: StoredWidgets): StoredWidgets {
  const merged = new Map<string, CachedWidget>(a);
  for (const [productId, widget] of b) {
    const other = merged.get(productId);
    if (other === undefined || other.dataVersion < widget.dataVersion) merged.set(productId, widget);
  }
  return merged;
}
