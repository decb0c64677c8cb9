// GET /v1/home when the in-process cache (L1) misses: many users in turn against a core-api whose L1
// keeps a few hundred of them (L1_MAX_ENTRIES), so every request of a data set of thousands loads the
// user's widgets from the cache Redis (L2), or, with the cache Redis emptied and core-api's refills
// expiring at once, from Postgres (L3). The layout and the generic widgets, read by every request, stay
// in L1 as in production. core-api's own lookup counters say which level answered.
import { sideBySide, type HttpFigure, type SideBySide, type Target } from './home-warm';

/**
 * Settings of the core-api instance that misses L1: room for the requests in flight (two entries a user)
 * and the shared entries, far fewer than the data set's users; refills that expire after 1 s.
 */
export const L1_MISS_ENV = { L1_MAX_ENTRIES: '512', L3_REFILL_TTL_SECONDS: '1' };

export interface MissFigures {
  bare: HttpFigure;
  coreApi: HttpFigure;
  /** Shares of the users' widget reads answered by each level during the core-api runs. */
  answeredBy: { l1: number; l2: number; l3: number };
}

type Lookups = Map<string, number>;

/** home_cache_lookups_total by "level result" for the user kind, from core-api's /metrics. */
async function userLookups(coreApiUrl: string): Promise<Lookups> {
  const text = await (await fetch(`${coreApiUrl}/metrics`)).text();
  const lookups: Lookups = new Map();
  for (const [, labelText = '', value] of text.matchAll(/^home_cache_lookups_total\{([^}]*)\} (\S+)$/gm)) {
    const labels = Object.fromEntries(
      [...labelText.matchAll(/(\w+)="([^"]*)"/g)].map(([, name, text]) => [name, text]),
    );
    if (labels['kind'] === 'user') lookups.set(`${labels['level']} ${labels['result']}`, Number(value));
  }
  return lookups;
}

/** `coreApi.url` is the instance's base URL (its /metrics is read before and after). */
export async function measureMiss(bare: Target, coreApi: Target, options: SideBySide): Promise<MissFigures> {
  const coreApiUrl = coreApi.url;
  const targets = { bare, coreApi: { ...coreApi, url: `${coreApiUrl}/v1/home` } };
  await sideBySide(targets, { ...options, seconds: 1, rounds: 1 }); // warm-up
  const before = await userLookups(coreApiUrl);
  const figures = await sideBySide(targets, options);
  const after = await userLookups(coreApiUrl);
  const delta = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
  const reads = ['hit', 'miss', 'joined', 'stale'].reduce((sum, result) => sum + delta(`l1 ${result}`), 0);
  const share = (count: number) => (reads > 0 ? count / reads : 0);
  return {
    ...figures,
    answeredBy: { l1: share(delta('l1 hit')), l2: share(delta('l2 hit')), l3: share(delta('l3 hit')) },
  };
}
