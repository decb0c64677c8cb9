import {
  widgetHashField,
  type CacheRead,
  type InProcessCache,
  type LoadPolicy,
  type ReadOutcome,
  type WidgetInvalidation,
} from '@hwp/cache';
import { adaptForClient, type Screen } from '@hwp/sdui-schema';
import {
  GENERIC,
  audienceSegment,
  audienceUser,
  segmentAudience,
  userAudience,
  type Audience,
} from '@hwp/widget-events';
import type { ClientProfile } from './client-profile';
import type { ScreenContents } from './live-screens';
import {
  chooseVariants,
  composeHomeScreen,
  loadSharedWidgets,
  loadWidgets,
  NO_VARIANTS,
  screenEtag,
  shownAt,
  type AudienceWidgets,
  type LoadedWidget,
  type SharedWidgets,
  type UserWidgets,
  type VariantChoices,
} from './home-screen';
import type { CacheKind, LookupResult, ReadPathMetrics } from './home.ports';
import type { SegmentMemberships } from './segment-memberships.port';
import type { WindowClock, WindowListener } from './window-clock';
import type { WidgetLoader } from './widget-loader';

/** A draft widget and the slot it is previewed in, as "generic" or the user's own ("personalised"). */
export interface DraftInSlot {
  productId: string;
  audience: 'generic' | 'personalised';
  /** The widget's JSON, checked against the SDUI schema. */
  json: string;
}

/**
 * Copies of the shared and personalised widgets with the draft in its slot: set in its audience's copy,
 * and a generic draft shown over the user's own widget, segment widgets and experiments of that product,
 * so the slot shows the draft.
 */
function withDraft(
  shared: SharedWidgets,
  personalised: UserWidgets,
  { productId, audience, json }: DraftInSlot,
): [SharedWidgets, UserWidgets] {
  const draft = loadWidgets(new Map([[productId, { dataVersion: 0, widget: json }]]));
  const generics = new Map(shared.byProduct);
  const mine = new Map(personalised.byProduct);
  let segments = personalised.segments;
  let experiments = shared.experiments;
  if (audience === 'generic') {
    mine.delete(productId);
    segments = segments.filter((segment) => !segment.startsWith(`${productId}/`));
    experiments = new Map([...experiments].filter(([id]) => id !== productId));
  }
  for (const [id, widget] of draft.byProduct) (audience === 'generic' ? generics : mine).set(id, widget);
  return [
    { ...shared, byProduct: generics, experiments },
    { ...personalised, byProduct: mine, segments },
  ];
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

/**
 * A rendering and the cached inputs it was made from: valid while they are the same objects, until a
 * window of a widget it considered opens or closes (`validUntil`, epoch ms).
 */
interface CachedRendering {
  rendered: RenderedHome;
  /** The rendering as a read that is not stale answers it, made once. */
  warm: HomeRead;
  layout: string[];
  generic: SharedWidgets;
  personalised: UserWidgets;
  validUntil: number;
}

const LAYOUT_KEY = 'layout';
const GENERIC_KEY = 'generic';
const USER_KEY_PREFIX = 'u:';
const userKey = (userId: string) => USER_KEY_PREFIX + userId;

/** A rendering shared by users without widgets of their own: its key names what it depends on instead. */
const isShared = (personalised: UserWidgets) => personalised.byProduct.size === 0;

const madeFrom = (
  cached: CachedRendering,
  layout: string[],
  generic: SharedWidgets,
  personalised: UserWidgets,
  now: number,
) =>
  cached.layout === layout &&
  cached.generic === generic &&
  (cached.personalised === personalised || isShared(personalised)) &&
  now < cached.validUntil;

/**
 * The personalised widgets of a user who has none and is in no segment, and what they count as while
 * they cannot be loaded and this instance never had them: one object.
 */
const NO_PERSONALISED: UserWidgets = { byProduct: new Map(), bytes: 0, segments: [], segmentsEpoch: 0 };
/**
 * "*" is no user id: the key of the rendering every user without widgets of their own shares with the
 * users in the same segments who see the same experiment variants (the generic screen, for most users,
 * composed and serialised once).
 */
const renderingKey = (
  userId: string,
  personalised: UserWidgets,
  variants: VariantChoices,
  client: ClientProfile,
) => {
  if (!isShared(personalised)) return `r:${userId}:${client.signature}`;
  if (personalised.segments.length === 0 && variants.key === '') return `r:*:${client.signature}`;
  return `r:*${personalised.segments.join(',')}|${variants.key}:${client.signature}`;
};

/** What a read of a user the copy of the index knows to have nothing, and in no segment, gets: no load, no promise. */
const NOTHING_PERSONALISED: CacheRead<UserWidgets> = { value: NO_PERSONALISED, outcome: 'loaded' };

/** A user's widgets and segments as kept in L1: one shared object when they have neither. */
const userWidgets = (
  widgets: AudienceWidgets,
  segments: readonly string[],
  segmentsEpoch: number,
): UserWidgets =>
  widgets.byProduct.size === 0 && segments.length === 0
    ? NO_PERSONALISED
    : {
        byProduct: widgets.byProduct,
        bytes: widgets.bytes + segments.length * 64,
        segments,
        segmentsEpoch,
      };

/** Whether a user's segments were read before a segment was deleted (a deletion names no users). */
const segmentsOutdated = (personalised: UserWidgets, epoch: number) =>
  personalised.segments.length > 0 && personalised.segmentsEpoch !== epoch;

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
  private readonly genericPolicy: LoadPolicy<SharedWidgets>;
  // Personalised widgets change only through the ingester, and memberships through the segment index,
  // which announce every change.
  private readonly personalisedPolicy: LoadPolicy<UserWidgets> = {
    ttlMs: Infinity,
    sizeOf: (w) => w.bytes,
  };

  // Segment deletions heard: a user's segments read before the latest one are read again.
  private segmentsEpoch = 0;

  // The loads, made once: a warm read allocates no closure.
  private readonly loadLayout = () => this.loader.layout();
  private readonly loadGeneric = () => this.loadShared();
  private readonly loadUser = (key: string) => this.loadUserWidgets(key.slice(USER_KEY_PREFIX.length));

  constructor(
    private readonly cache: InProcessCache,
    private readonly loader: WidgetLoader,
    private readonly memberships: SegmentMemberships,
    private readonly clock: WindowClock,
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
  read(userId: string, client: ClientProfile, now = Date.now()): HomeRead | Promise<HomeRead> {
    const warm = this.warm(userId, client, now);
    if (warm !== undefined) return warm;
    const layout = this.level1(LAYOUT_KEY, 'layout', this.loadLayout, this.layoutPolicy, now);
    const generic = this.level1(GENERIC_KEY, 'generic', this.loadGeneric, this.genericPolicy, now);
    const personalised = this.personalised(userId, now);
    if (layout instanceof Promise || generic instanceof Promise) {
      return Promise.all([layout, generic, personalised]).then(([l, g, p]) =>
        this.screen(userId, client, l, g, p, now),
      );
    }
    // The common miss: only the user's own widgets load.
    if (personalised instanceof Promise)
      return personalised.then((p) => this.screen(userId, client, layout, generic, p, now));
    return this.screen(userId, client, layout, generic, personalised, now);
  }

  /**
   * The warm path, allocating no object but its lookup keys: the current rendering when every level is
   * fresh at `now` and the rendering was made from them and is still valid; undefined otherwise (the
   * levels are then read, and loaded, below).
   */
  private warm(userId: string, client: ClientProfile, now: number): HomeRead | undefined {
    const layout = this.cache.fresh<string[]>(LAYOUT_KEY, now);
    const generic = this.cache.fresh<SharedWidgets>(GENERIC_KEY, now);
    const personalised = this.cache.fresh<UserWidgets>(userKey(userId), now);
    if (layout === undefined || generic === undefined || personalised === undefined) return undefined;
    if (segmentsOutdated(personalised, this.segmentsEpoch)) return undefined;
    // Only a shared rendering's key names the variants; a user's own rendering was made with theirs.
    const variants = isShared(personalised)
      ? chooseVariants(generic, userId, personalised.segments)
      : NO_VARIANTS;
    const cached = this.cache.recall<CachedRendering>(renderingKey(userId, personalised, variants, client));
    if (cached === undefined || !madeFrom(cached, layout, generic, personalised, now)) return undefined;
    for (const kind of KINDS) this.metrics.lookup('l1', kind, 'hit');
    return cached.warm;
  }

  /** The rendering of the loaded levels, cached per user (or shared) and client profile. */
  private screen(
    userId: string,
    client: ClientProfile,
    layout: CacheRead<string[]>,
    generic: CacheRead<SharedWidgets>,
    personalised: CacheRead<UserWidgets>,
    now: number,
  ): HomeRead {
    const stale =
      layout.outcome === 'stale' || generic.outcome === 'stale' || personalised.outcome === 'stale';
    if (stale) this.metrics.staleResponse();

    const inputs = { layout: layout.value, generic: generic.value, personalised: personalised.value };
    const variants = chooseVariants(
      inputs.generic,
      userId,
      inputs.personalised.segments,
      inputs.personalised.byProduct,
    );
    const key = renderingKey(userId, inputs.personalised, variants, client);
    let cached = this.cache.recall<CachedRendering>(key);
    if (cached === undefined || !madeFrom(cached, inputs.layout, inputs.generic, inputs.personalised, now)) {
      const { bytes, slots, validUntil } = composeHomeScreen(
        inputs.layout,
        inputs.generic,
        inputs.personalised,
        {
          userId,
          segments: inputs.personalised.segments,
          variants,
          now,
        },
      );
      const etag = screenEtag(slots, client.signature);
      if (cached?.rendered.etag === etag) {
        Object.assign(cached, inputs, { validUntil }); // reloaded copies of the same versions
      } else {
        const rendered = this.render(bytes, etag, client);
        cached = { rendered, warm: { rendered, stale: false }, ...inputs, validUntil };
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
    const now = Date.now();
    const [layout, generic, personalised] = await Promise.all([
      this.level1(LAYOUT_KEY, 'layout', this.loadLayout, this.layoutPolicy, now),
      this.level1(GENERIC_KEY, 'generic', this.loadGeneric, this.genericPolicy, now),
      this.personalised(userId, now),
    ]);
    const stale =
      layout.outcome === 'stale' || generic.outcome === 'stale' || personalised.outcome === 'stale';
    const [shared, mine] = withDraft(generic.value, personalised.value, draft);
    const { bytes, slots } = composeHomeScreen(layout.value, shared, mine, {
      userId,
      segments: mine.segments,
      variants: chooseVariants(shared, userId, mine.segments),
      now,
    });
    return { rendered: this.render(bytes, screenEtag(slots, client.signature), client), stale };
  }

  /** Applies an invalidation message: the audience's widgets are loaded again unless already as new. */
  invalidate({ productId, audience, dataVersion }: WidgetInvalidation): void {
    const userId = audienceUser(audience);
    if (userId !== undefined) this.loader.listed(userId); // before the read it prompts
    const known =
      userId === undefined
        ? this.cache.peek<SharedWidgets>(GENERIC_KEY)?.versions.get(widgetHashField(productId, audience))
        : this.cache.peek<UserWidgets>(userKey(userId))?.byProduct.get(productId)?.dataVersion;
    if (known === undefined || known < dataVersion)
      this.cache.invalidate(userId === undefined ? GENERIC_KEY : userKey(userId));
  }

  /** The segment index changed these users' memberships: their widget sets are loaded again. */
  membershipsChanged(userIds: readonly string[]): void {
    for (const userId of userIds) this.cache.invalidate(userKey(userId));
  }

  /**
   * Segments were deleted: a deletion names no users, so every user whose segments were read before it
   * has them read again at their next read (their widgets with them); users in no segment are untouched.
   */
  segmentsDeleted(): void {
    this.segmentsEpoch += 1;
  }

  /**
   * Whether an invalidation may change `userId`'s screen, judged from the in-process copies (true when
   * they are missing): not when its product has no slot in the layout, nor for a shared widget while the
   * user's own widget of that product is shown, nor for a segment's widget when the user is not in it.
   */
  mayShow(userId: string, { productId, audience }: WidgetInvalidation): boolean {
    const layout = this.cache.peek<string[]>(LAYOUT_KEY);
    if (layout !== undefined && !layout.includes(productId)) return false;
    const changedUser = audienceUser(audience);
    if (changedUser !== undefined) return changedUser === userId;
    const mine = this.cache.peek<UserWidgets>(userKey(userId));
    if (mine === undefined) return true;
    if (shownAt(mine.byProduct.get(productId), Date.now()) !== undefined) return false;
    const segmentId = audienceSegment(audience);
    return segmentId === undefined || mine.segments.includes(`${productId}/${segmentId}`);
  }

  /** Told when a window of a widget held here opens or closes (ADR 0030): as an applied invalidation. */
  onWindowBoundary(listener: WindowListener): void {
    this.clock.onBoundary(listener);
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
   * The user's personalised widgets and segments, or none (outcome `stale`) when they cannot be loaded
   * and were never loaded here. That stand-in is not cached: the next read loads them again. A user the
   * copy of the index knows to have nothing is answered with their segments alone (at once when the
   * segment filter knows they are in none), and kept in L1 as a load would have.
   */
  private personalised(
    userId: string,
    now: number,
  ): CacheRead<UserWidgets> | Promise<CacheRead<UserWidgets>> {
    const key = userKey(userId);
    let held = this.cache.fresh<UserWidgets>(key, now);
    if (held !== undefined && segmentsOutdated(held, this.segmentsEpoch)) {
      this.cache.invalidate(key);
      held = undefined;
    }
    if (held === undefined && this.loader.nothingFor(userId)) {
      this.metrics.lookup('l1', 'user', 'miss');
      const segments = this.memberships.of(userId);
      if (segments instanceof Promise)
        return segments.then((found) => this.storeSegmentsOnly(key, found, now));
      return this.storeSegmentsOnly(key, segments, now);
    }
    const read = this.level1(key, 'user', this.loadUser, this.personalisedPolicy, now);
    if (!(read instanceof Promise)) return read;
    return read.catch((error: unknown): CacheRead<UserWidgets> => {
      this.metrics.lookup('l1', 'user', 'error');
      return { value: NO_PERSONALISED, outcome: 'stale', error };
    });
  }

  private storeSegmentsOnly(key: string, segments: readonly string[], now: number): CacheRead<UserWidgets> {
    if (segments.length === 0) {
      this.cache.store(key, NO_PERSONALISED, this.personalisedPolicy, now);
      return NOTHING_PERSONALISED;
    }
    const value = userWidgets(NO_PERSONALISED, segments, this.segmentsEpoch);
    this.cache.store(key, value, this.personalisedPolicy, now);
    return { value, outcome: 'loaded' };
  }

  private async loadUserWidgets(userId: string): Promise<UserWidgets> {
    const audience = userAudience(userId);
    const epoch = this.segmentsEpoch; // a deletion heard while this loads makes what it read outdated
    // Both asked before either is awaited; most users' segments are known at once (no promise to join).
    const asked = this.memberships.of(userId);
    const stored = await this.loader.widgets(audience);
    const segments = asked instanceof Promise ? await asked : asked;
    const widgets = stored.size === 0 ? NO_PERSONALISED : loadWidgets(stored);
    this.watchWindows(widgets.byProduct, () => audience);
    return userWidgets(widgets, segments, epoch);
  }

  private async loadShared(): Promise<SharedWidgets> {
    const shared = loadSharedWidgets(await this.loader.widgets(GENERIC));
    this.watchWindows(shared.byProduct, () => GENERIC);
    this.watchWindows(shared.segmentWidgets, (field) => segmentAudience(field.slice(field.indexOf('/') + 1)));
    return shared;
  }

  /** Registers with the clock the times the loaded schedules' windows open or close. */
  private watchWindows(
    widgets: ReadonlyMap<string, LoadedWidget>,
    audienceOf: (key: string) => Audience,
  ): void {
    for (const [key, widget] of widgets) {
      if (widget.schedule === undefined) continue;
      const productId = key.split('/')[0]!;
      for (const { activeFrom, activeUntil, dataVersion } of widget.schedule) {
        const change = { productId, audience: audienceOf(key), dataVersion };
        if (activeFrom !== null) this.clock.at(activeFrom, change);
        if (activeUntil !== null) this.clock.at(activeUntil, change);
      }
    }
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
