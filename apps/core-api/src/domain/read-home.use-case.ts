import type { CacheRead, InProcessCache, LoadPolicy, ReadOutcome, WidgetInvalidation } from '@hwp/cache';
import { adaptForClient, type Screen } from '@hwp/sdui-schema';
import { GENERIC, audienceUser, userAudience } from '@hwp/widget-events';
import type { ClientProfile } from './client-profile';
import type { ScreenContents } from './live-screens';
import { composeHomeScreen, loadWidgets, screenEtag, type AudienceWidgets } from './home-screen';
import type { CacheKind, LookupResult, ReadPathMetrics } from './home.ports';
import type { WidgetLoader } from './widget-loader';

/** A draft widget and the slot it is previewed in, as "generic" or the user's own ("personalised"). */
export interface DraftInSlot {
  productId: string;
  audience: 'generic' | 'personalised';
  /** The widget's JSON, checked against the SDUI schema. */
  json: string;
}

/**
 * Copies of the generic and personalised widgets with the draft in its slot: set in its audience's copy,
 * and a generic draft shown over the user's own widget of that product, so the slot shows the draft.
 */
function withDraft(
  generic: AudienceWidgets['byProduct'],
  personalised: AudienceWidgets['byProduct'],
  { productId, audience, json }: DraftInSlot,
): [AudienceWidgets['byProduct'], AudienceWidgets['byProduct']] {
  const draft = loadWidgets(new Map([[productId, { dataVersion: 0, widget: json }]]));
  const generics = new Map(generic);
  const mine = new Map(personalised);
  if (audience === 'generic') mine.delete(productId);
  for (const [id, widget] of draft.byProduct) (audience === 'generic' ? generics : mine).set(id, widget);
  return [generics, mine];
}

/** A home screen ready to send: its bytes and their ETag. */
export interface RenderedHome {
  etag: string;
  body: Buffer;
}

/**
 * In-process bytes a rendering is counted for: its body, room for the compressed copies the HTTP layer may
 * keep with it (JSON compresses to well under a quarter, two encodings), and bookkeeping.
 */
const renderingBytes = (body: Buffer) => 256 + Math.ceil(body.length * 1.5);

export interface HomeRead {
  rendered: RenderedHome;
  /** True when part of the screen is the last known good copy because a level failed. */
  stale: boolean;
}

export interface ReadHomeOptions {
  genericTtlMs: number;
}

/** A rendering and the cached inputs it was made from: valid while they are the same objects. */
interface CachedRendering {
  rendered: RenderedHome;
  /** The rendering as a read that is not stale answers it, made once. */
  warm: HomeRead;
  layout: string[];
  generic: AudienceWidgets;
  personalised: AudienceWidgets;
}

const LAYOUT_KEY = 'layout';
const GENERIC_KEY = 'generic';
const USER_KEY_PREFIX = 'u:';
const userKey = (userId: string) => USER_KEY_PREFIX + userId;

const madeFrom = (
  cached: CachedRendering,
  layout: string[],
  generic: AudienceWidgets,
  personalised: AudienceWidgets,
) => cached.layout === layout && cached.generic === generic && cached.personalised === personalised;

/**
 * The personalised widgets of a user who has none, and what they count as while they cannot be loaded
 * and this instance never had them: one object, so that every such user shares one rendering per client
 * profile (the generic screen, composed and serialised once).
 */
const NO_PERSONALISED: AudienceWidgets = { byProduct: new Map(), bytes: 0 };
// "*" is no user id: the key of the rendering every user without personalised widgets shares.
const renderingKey = (userId: string, personalised: AudienceWidgets, client: ClientProfile) =>
  `r:${personalised === NO_PERSONALISED ? '*' : userId}:${client.signature}`;

/** What a read of a user the copy of the index knows to have nothing gets: no load, no promise. */
const NOTHING_PERSONALISED: CacheRead<AudienceWidgets> = { value: NO_PERSONALISED, outcome: 'loaded' };

const KINDS: readonly CacheKind[] = ['layout', 'generic', 'user'];

const L1_RESULT: Record<ReadOutcome, LookupResult> = {
  hit: 'hit',
  loaded: 'miss',
  joined: 'joined',
  stale: 'stale',
};

/**
 * GET /v1/home: one user's home screen from the in-process cache (L1), loading what is missing or stale
 * through the WidgetLoader (L2, then L3). Renderings (bytes, ETag) are cached per user and client profile,
 * so a warm read composes and serialises nothing.
 */
export class ReadHomeScreen implements ScreenContents {
  private readonly layoutPolicy: LoadPolicy<string[]>;
  private readonly genericPolicy: LoadPolicy<AudienceWidgets>;
  // Personalised widgets change only through the ingester, which announces every change.
  private readonly personalisedPolicy: LoadPolicy<AudienceWidgets> = {
    ttlMs: Infinity,
    sizeOf: (w) => w.bytes,
  };

  // The loads, made once: a warm read allocates no closure.
  private readonly loadLayout = () => this.loader.layout();
  private readonly loadGeneric = () => this.loadWidgets(GENERIC);
  private readonly loadUser = (key: string) =>
    this.loadWidgets(userAudience(key.slice(USER_KEY_PREFIX.length)));

  constructor(
    private readonly cache: InProcessCache,
    private readonly loader: WidgetLoader,
    private readonly metrics: ReadPathMetrics,
    private readonly options: ReadHomeOptions,
  ) {
    this.layoutPolicy = { ttlMs: options.genericTtlMs, sizeOf: (ids) => 64 + ids.length * 48 };
    this.genericPolicy = { ttlMs: options.genericTtlMs, sizeOf: (w) => w.bytes };
  }

  /**
   * Any read, loading what is missing. Rejects only when the layout or the generic widgets fail to load
   * and were never loaded before; a user's personalised widgets in that case fall back to none (the
   * generic screen, marked stale). The warm path answers without a promise: when every level is fresh in
   * memory at `now` (ms), the screen comes back as is, and a level is awaited only when it loads.
   */
  read(userId: string, client: ClientProfile, now?: number): HomeRead | Promise<HomeRead> {
    const warm = this.warm(userId, client, now);
    if (warm !== undefined) return warm;
    const layout = this.level1(LAYOUT_KEY, 'layout', this.loadLayout, this.layoutPolicy, now);
    const generic = this.level1(GENERIC_KEY, 'generic', this.loadGeneric, this.genericPolicy, now);
    const personalised = this.personalised(userId, now);
    if (layout instanceof Promise || generic instanceof Promise) {
      return Promise.all([layout, generic, personalised]).then(([l, g, p]) =>
        this.screen(userId, client, l, g, p),
      );
    }
    // The common miss: only the user's own widgets load.
    if (personalised instanceof Promise)
      return personalised.then((p) => this.screen(userId, client, layout, generic, p));
    return this.screen(userId, client, layout, generic, personalised);
  }

  /**
   * The warm path, allocating no object but its lookup keys: the current rendering when every level is
   * fresh at `now` and the rendering was made from them; undefined otherwise (the levels are then read,
   * and loaded, below).
   */
  private warm(userId: string, client: ClientProfile, now?: number): HomeRead | undefined {
    const layout = this.cache.fresh<string[]>(LAYOUT_KEY, now);
    const generic = this.cache.fresh<AudienceWidgets>(GENERIC_KEY, now);
    const personalised = this.cache.fresh<AudienceWidgets>(userKey(userId), now);
    if (layout === undefined || generic === undefined || personalised === undefined) return undefined;
    const cached = this.cache.recall<CachedRendering>(renderingKey(userId, personalised, client));
    if (cached === undefined || !madeFrom(cached, layout, generic, personalised)) return undefined;
    for (const kind of KINDS) this.metrics.lookup('l1', kind, 'hit');
    return cached.warm;
  }

  /** The rendering of the loaded levels, cached per user (or shared) and client profile. */
  private screen(
    userId: string,
    client: ClientProfile,
    layout: CacheRead<string[]>,
    generic: CacheRead<AudienceWidgets>,
    personalised: CacheRead<AudienceWidgets>,
  ): HomeRead {
    const stale =
      layout.outcome === 'stale' || generic.outcome === 'stale' || personalised.outcome === 'stale';
    if (stale) this.metrics.staleResponse();

    const inputs = { layout: layout.value, generic: generic.value, personalised: personalised.value };
    const key = renderingKey(userId, inputs.personalised, client);
    let cached = this.cache.recall<CachedRendering>(key);
    if (cached === undefined || !madeFrom(cached, inputs.layout, inputs.generic, inputs.personalised)) {
      const { bytes, slots } = composeHomeScreen(
        layout.value,
        generic.value.byProduct,
        personalised.value.byProduct,
      );
      const etag = screenEtag(slots, client.signature);
      if (cached?.rendered.etag === etag) {
        Object.assign(cached, inputs); // reloaded copies of the same versions
      } else {
        const rendered = this.render(bytes, etag, client);
        cached = { rendered, warm: { rendered, stale: false }, ...inputs };
        this.cache.remember(key, cached, renderingBytes(cached.rendered.body));
      }
    }
    return stale ? { rendered: cached.rendered, stale } : cached.warm;
  }

  /**
   * "Preview as user": the user's whole screen with `draft` in its product's slot, for the studio. The
   * levels are read as `read` reads them (and kept in L1 as it keeps them); the preview itself is composed
   * over copies, never cached and never written anywhere. A draft's data version is 0: no version has it.
   */
  async preview(userId: string, client: ClientProfile, draft: DraftInSlot): Promise<HomeRead> {
    const [layout, generic, personalised] = await Promise.all([
      this.level1(LAYOUT_KEY, 'layout', this.loadLayout, this.layoutPolicy),
      this.level1(GENERIC_KEY, 'generic', this.loadGeneric, this.genericPolicy),
      this.personalised(userId),
    ]);
    const stale =
      layout.outcome === 'stale' || generic.outcome === 'stale' || personalised.outcome === 'stale';
    const { bytes, slots } = composeHomeScreen(
      layout.value,
      ...withDraft(generic.value.byProduct, personalised.value.byProduct, draft),
    );
    return { rendered: this.render(bytes, screenEtag(slots, client.signature), client), stale };
  }

  /** Applies an invalidation message: the audience's widgets are loaded again unless already as new. */
  invalidate({ productId, audience, dataVersion }: WidgetInvalidation): void {
    const userId = audienceUser(audience);
    if (userId !== undefined) this.loader.listed(userId); // before the read it prompts
    const key = userId === undefined ? GENERIC_KEY : userKey(userId);
    const known = this.cache.peek<AudienceWidgets>(key)?.byProduct.get(productId)?.dataVersion;
    if (known === undefined || known < dataVersion) this.cache.invalidate(key);
  }

  /**
   * Whether an invalidation may change `userId`'s screen, judged from the in-process copies (true when
   * they are missing): not when its product has no slot in the layout, nor for a generic widget while
   * the user has a personalised one for that product.
   */
  mayShow(userId: string, { productId, audience }: WidgetInvalidation): boolean {
    const layout = this.cache.peek<string[]>(LAYOUT_KEY);
    if (layout !== undefined && !layout.includes(productId)) return false;
    const changedUser = audienceUser(audience);
    if (changedUser !== undefined) return changedUser === userId;
    return !this.cache.peek<AudienceWidgets>(userKey(userId))?.byProduct.get(productId)?.json;
  }

  /** For a new layout (an admin's edit): it is loaded again, and every screen re-rendered from it. */
  invalidateLayout(): void {
    this.cache.invalidate(LAYOUT_KEY);
  }

  /** For when invalidation messages may have been missed (the subscription was lost). */
  invalidateAll(): void {
    this.loader.distrustCopy();
    this.cache.invalidateAll();
  }

  private level1<V>(
    key: string,
    kind: CacheKind,
    load: (key: string) => Promise<V>,
    policy: LoadPolicy<V>,
    now?: number,
  ): CacheRead<V> | Promise<CacheRead<V>> {
    const read = this.cache.read(key, load, policy, now);
    if (!(read instanceof Promise)) {
      this.metrics.lookup('l1', kind, 'hit');
      return read;
    }
    return read.then((loaded) => {
      this.metrics.lookup('l1', kind, L1_RESULT[loaded.outcome]);
      return loaded;
    });
  }

  /**
   * The user's personalised widgets, or none (outcome `stale`) when they cannot be loaded and were never
   * loaded here. That stand-in is not cached: the next read loads them again. A user the copy of the index
   * knows to have nothing is answered at once, and kept in L1 as a load would have.
   */
  private personalised(
    userId: string,
    now?: number,
  ): CacheRead<AudienceWidgets> | Promise<CacheRead<AudienceWidgets>> {
    const key = userKey(userId);
    if (this.cache.fresh(key, now) === undefined && this.loader.nothingFor(userId)) {
      this.cache.store(key, NO_PERSONALISED, this.personalisedPolicy, now);
      this.metrics.lookup('l1', 'user', 'miss');
      return NOTHING_PERSONALISED;
    }
    const read = this.level1(key, 'user', this.loadUser, this.personalisedPolicy, now);
    if (!(read instanceof Promise)) return read;
    return read.catch((error: unknown): CacheRead<AudienceWidgets> => {
      this.metrics.lookup('l1', 'user', 'error');
      return { value: NO_PERSONALISED, outcome: 'stale', error };
    });
  }

  private loadWidgets(audience: Parameters<WidgetLoader['widgets']>[0]): Promise<AudienceWidgets> {
    return this.loader
      .widgets(audience)
      .then((stored) => (stored.size === 0 && audience !== GENERIC ? NO_PERSONALISED : loadWidgets(stored)));
  }

  /** The composed screen's bytes; for a client that lacks components, the tree is parsed and adapted. */
  private render(bytes: Buffer, etag: string, client: ClientProfile): RenderedHome {
    if (client.capabilities === undefined) return { etag, body: bytes };
    const adapted = adaptForClient(JSON.parse(bytes.toString()) as Screen, client.capabilities);
    // clientProfile() has already refused the versions adaptForClient refuses.
    if (!adapted.ok) throw new Error(adapted.reason);
    return { etag, body: Buffer.from(JSON.stringify(adapted.value)) };
  }
}
