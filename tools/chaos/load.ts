import { percentile } from '@hwp/dev-services';
import { card, TEAMS, userToken, type AppInstance } from './platform';

// The steady load of a chaos run: product teams publishing personalised widgets on product-api, and users
// reading their home screen through a client-side load balancer over the core-api instances.

export const LOAD_PRODUCTS = TEAMS.a.productIds;
export const loadUsers = (count: number) =>
  Array.from({ length: count }, (_, i) => `load-user-${String(i + 1).padStart(4, '0')}`);

/** A widget key: `<productId> user:<userId>`. */
export const widgetKey = (productId: string, userId: string) => `${productId} user:${userId}`;

const REQUEST_TIMEOUT_MS = 5_000;

/** Runs `send` `perSecond` times a second (open loop: a slow answer does not slow the load) until stopped. */
function openLoop(perSecond: number, send: () => Promise<void>) {
  const inFlight = new Set<Promise<void>>();
  const timer = setInterval(() => {
    const request = send().finally(() => inFlight.delete(request));
    inFlight.add(request);
  }, 1000 / perSecond);
  return async () => {
    clearInterval(timer);
    await Promise.all(inFlight);
  };
}

/**
 * Runs `send` from `concurrency` workers, each starting its next request when the last one is answered
 * (closed loop: the load follows the servers' own maximum rate), while `more()` says so.
 */
export async function closedLoop(concurrency: number, more: () => boolean, send: () => Promise<void>) {
  const worker = async () => {
    while (more()) await send();
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** A random item of `items`, which must not be empty. */
export function anyOf<T>(items: readonly T[], random: () => number): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('nothing to choose from');
  return item;
}

/** `work` for every item, at most `concurrency` at a time (as many connections); the results in order. */
export async function eachAtMost<T, R>(
  concurrency: number,
  items: readonly T[],
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  await closedLoop(
    concurrency,
    () => next < items.length,
    async () => {
      const i = next++;
      const item = items[i];
      if (item !== undefined) results[i] = await work(item);
    },
  );
  return results;
}

/** A failure before the request reached the server: nothing can have been written. */
function refusedConnection(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code === 'ECONNREFUSED';
}

export interface PublishFigures {
  /** 202 answers: writes product-api promised to deliver. */
  accepted: number;
  /** Refused before reaching product-api (it was down): nothing written. */
  refused: number;
  /** A 5xx (503 while its database is down) or no answer (timeout, reset): maybe written, maybe not. */
  unacknowledged: number;
  /** 4xx answers to valid writes: a defect. */
  rejected: number;
}

/** Publishes card widgets for random (product, user) keys and remembers every accepted version. */
export class PublishLoad {
  readonly figures: PublishFigures = { accepted: 0, refused: 0, unacknowledged: 0, rejected: 0 };
  /** Every accepted write as [key, dataVersion]. */
  readonly acceptedWrites: [string, number][] = [];
  /** Keys with a write whose outcome is unknown: their final version may exceed the highest accepted. */
  readonly unacknowledgedKeys = new Set<string>();
  private stopLoop: (() => Promise<void>) | undefined;

  constructor(
    private readonly productApi: AppInstance,
    private readonly users: string[],
    private readonly random: () => number,
  ) {}

  start(perSecond: number): void {
    this.stopLoop = openLoop(perSecond, () => this.publishOne());
  }

  stop(): Promise<void> {
    return this.stopLoop?.() ?? Promise.resolve();
  }

  highestAccepted(): Map<string, number> {
    const highest = new Map<string, number>();
    for (const [key, version] of this.acceptedWrites)
      highest.set(key, Math.max(version, highest.get(key) ?? 0));
    return highest;
  }

  private async publishOne(): Promise<void> {
    const productId = anyOf(LOAD_PRODUCTS, this.random);
    const userId = anyOf(this.users, this.random);
    const key = widgetKey(productId, userId);
    try {
      const response = await fetch(
        `${this.productApi.url}/v1/products/${productId}/widgets/users/${userId}`,
        {
          method: 'PUT',
          headers: { 'content-type': 'application/json', 'x-api-key': TEAMS.a.apiKey },
          body: JSON.stringify({ widget: card('w', `${key} at ${Date.now()}`) }),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        },
      );
      const body = (await response.json().catch(() => ({}))) as { dataVersion?: number };
      if (response.status === 202 && typeof body.dataVersion === 'number') {
        this.figures.accepted++;
        this.acceptedWrites.push([key, body.dataVersion]);
      } else if (response.status < 500) {
        this.figures.rejected++;
      } else {
        this.figures.unacknowledged++;
        this.unacknowledgedKeys.add(key);
      }
    } catch (error) {
      if (refusedConnection(error)) {
        this.figures.refused++;
      } else {
        this.figures.unacknowledged++;
        this.unacknowledgedKeys.add(key);
      }
    }
  }
}

/**
 * The users a run makes up: load users (`load-user-0001`) and cold-user storm users (`storm-1-0001`). The
 * load writes the key, hence the user id, into each widget it publishes, and the sample products' service
 * puts the user id in its node ids: a widget naming another of these ids is another user's.
 */
const USER_ID = /\b(?:load-user-\d+|storm-\d+-\d+)\b/g;
const namesAnotherUser = (text: string, userId: string) =>
  [...text.matchAll(USER_ID)].some(([owner]) => owner !== userId);

/** An address per simulated browser (10.x.y.z from the user id), for the X-Forwarded-For of its requests. */
export function browserAddress(userId: string): string {
  let hash = 0;
  for (const char of userId) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) >>> 0;
  return `10.${(hash >>> 16) & 255}.${(hash >>> 8) & 255}.${hash & 255}`;
}

export interface ScreenAnswer {
  status: number;
  /** x-hwp-stale: part of the screen is a last known good copy. */
  stale: boolean;
  /** The data version of each personalised widget on the screen, by product id. */
  personalised: Map<string, number>;
  /** Products with a widget on the screen (personalised or generic). */
  products: number;
  /** Personalised widgets on the screen that name another user. */
  foreign: number;
}

type ScreenWidgets = {
  provenance?: { productId: string; audience: string; dataVersion: string };
}[];

/**
 * A client-side load balancer over instances of one app: round robin; a request an instance refuses,
 * drops or answers with a 5xx is retried once on another (an idempotent GET, as load balancers retry), and
 * an instance that refused a connection is left out for a second.
 */
export class Balancer {
  /** When an instance answered a 5xx (epoch ms; retried on the other), to tell which fault caused it. */
  readonly serverErrorTimes: number[] = [];
  private readonly resting = new Map<AppInstance, number>();
  private next = 0;

  constructor(private readonly instances: AppInstance[]) {}

  async send<T extends { status: number }>(
    fetchFrom: (instance: AppInstance) => Promise<T | undefined>,
  ): Promise<T | undefined> {
    const first = this.pick();
    const answer = await fetchFrom(first);
    if (answer && answer.status < 500) return answer;
    if (answer) this.serverErrorTimes.push(Date.now());
    else this.resting.set(first, Date.now() + 1_000);
    return fetchFrom(this.pick(first));
  }

  private pick(exclude?: AppInstance): AppInstance {
    const now = Date.now();
    const candidates = this.instances.filter(
      (instance) => instance !== exclude && (this.resting.get(instance) ?? 0) <= now,
    );
    const pool = candidates.length ? candidates : this.instances.filter((instance) => instance !== exclude);
    const instance = pool[this.next++ % pool.length];
    if (!instance) throw new Error('no instance to send to');
    return instance;
  }
}

export interface HomeFigures {
  requests: number;
  /** 200 answers, fresh or marked stale (x-hwp-stale). */
  answered: number;
  stale: number;
  /** 5xx answers users got (after the load balancer's retry). */
  serverErrors: number;
  /** 5xx answers of an instance, retried on the other one. */
  instanceServerErrors: number;
  /** No answer from any instance (connection failures, timeouts). */
  unanswered: number;
  /** Other statuses (4xx): a defect of the load or the app. */
  other: number;
  p50Ms: number;
  p99Ms: number;
}

/** Reads GET /v1/home as users do, through a Balancer over the core-api instances. */
export class HomeReads {
  private readonly counts = { requests: 0, answered: 0, stale: 0, serverErrors: 0, unanswered: 0, other: 0 };
  private readonly latencies: number[] = [];
  private readonly balancer: Balancer;
  private tokens = new Map<string, string>();
  private stopLoop: (() => Promise<void>) | undefined;

  constructor(
    instances: AppInstance[],
    private readonly users: string[],
    private readonly random: () => number,
  ) {
    this.balancer = new Balancer(instances);
  }

  get instanceServerErrorTimes(): readonly number[] {
    return this.balancer.serverErrorTimes;
  }

  async start(perSecond: number): Promise<void> {
    await this.signTokens(this.users);
    this.stopLoop = openLoop(perSecond, () =>
      this.read(anyOf(this.users, this.random)).then(() => undefined),
    );
  }

  stop(): Promise<void> {
    return this.stopLoop?.() ?? Promise.resolve();
  }

  /** Signs these users' tokens now, so that their reads do not wait for it. */
  async signTokens(users: string[]): Promise<void> {
    for (const user of users) if (!this.tokens.has(user)) this.tokens.set(user, await userToken(user));
  }

  figures(): HomeFigures {
    return {
      ...this.counts,
      instanceServerErrors: this.balancer.serverErrorTimes.length,
      p50Ms: percentile(this.latencies, 50),
      p99Ms: percentile(this.latencies, 99),
    };
  }

  /** One user's screen from one instance, or undefined when it did not answer. */
  async fetchScreen(instance: AppInstance, userId: string): Promise<ScreenAnswer | undefined> {
    const token = this.tokens.get(userId) ?? (await userToken(userId));
    try {
      const response = await fetch(`${instance.url}/v1/home`, {
        headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': browserAddress(userId) },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const body = await response.text();
      const widgets = response.status === 200 ? (JSON.parse(body) as { widgets: ScreenWidgets }).widgets : [];
      const personalised = widgets.filter(({ provenance }) => provenance?.audience === 'personalised');
      return {
        status: response.status,
        stale: response.headers.get('x-hwp-stale') === 'true',
        personalised: new Map(
          personalised.map(({ provenance: p }) => [p!.productId, Number(p!.dataVersion)]),
        ),
        products: new Set(widgets.map(({ provenance }) => provenance?.productId)).size,
        foreign: personalised.filter((widget) => namesAnotherUser(JSON.stringify(widget), userId)).length,
      };
    } catch {
      return undefined;
    }
  }

  /** One read of a user's screen through the load balancer, counted in the figures. */
  async read(userId: string): Promise<ScreenAnswer | undefined> {
    const started = performance.now();
    this.counts.requests++;
    const response = await this.balancer.send((instance) => this.fetchScreen(instance, userId));
    this.latencies.push(performance.now() - started);
    if (!response) this.counts.unanswered++;
    else if (response.status === 200) {
      this.counts.answered++;
      if (response.stale) this.counts.stale++;
    } else if (response.status >= 500) this.counts.serverErrors++;
    else this.counts.other++;
    return response;
  }
}

/** Publishes one personalised widget per user of each product in one campaign; the accepted versions by key. */
export async function publishCampaign(
  productApi: AppInstance,
  productIds: readonly string[],
  users: string[],
  text: (key: string) => string,
): Promise<Map<string, number>> {
  const accepted = new Map<string, number>();
  for (const productId of productIds) {
    const response = await fetch(`${productApi.url}/v1/products/${productId}/widgets/campaigns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': TEAMS.a.apiKey },
      body: JSON.stringify({
        widgets: users.map((userId) => ({ userId, widget: card('w', text(widgetKey(productId, userId))) })),
      }),
    });
    if (response.status !== 202) throw new Error(`campaign of ${productId} refused: ${response.status}`);
    const body = (await response.json()) as { accepted: { audience: string; dataVersion: number }[] };
    for (const { audience, dataVersion } of body.accepted)
      accepted.set(`${productId} ${audience}`, dataVersion);
  }
  return accepted;
}

export interface WebFigures {
  seconds: number;
  concurrency: number;
  pages: number;
  pagesPerSecond: number;
  /** 200 pages holding every personalised widget published for the user. */
  withWidgets: number;
  /** 200 pages missing one of the user's widgets: must be 0. */
  withoutWidgets: number;
  /** 200 pages that say they may be out of date (the web's last known screen, or core-api's stale copy). */
  outOfDate: number;
  /** 429 or 503: the web's honest refusal when core-api refused and it had no last known screen. */
  notServed: number;
  /** Any other status. */
  otherStatus: number;
  /** No answer from either web instance. */
  unanswered: number;
  /** Pages naming another user's widget. */
  foreign: number;
  /** 5xx answers of a web instance, retried on the other one. */
  instanceServerErrors: number;
  p50Ms: number;
  p99Ms: number;
}

interface PageAnswer {
  status: number;
  html: string;
}

/**
 * Signed-in users loading `/` through a Balancer over the web instances, each with the session cookie the
 * web's sign-in sets (`hwp_session`: the user's bearer token) and its own address in X-Forwarded-For, as a
 * front load balancer passes it on. Each page must show `expected(userId)`'s texts.
 */
export async function loadWebPages(
  webs: AppInstance[],
  users: string[],
  expected: (userId: string) => string[],
  { seconds, concurrency, random }: { seconds: number; concurrency: number; random: () => number },
): Promise<WebFigures> {
  const cookies = new Map<string, string>();
  for (const user of users) cookies.set(user, `hwp_session=${await userToken(user)}`);
  const balancer = new Balancer(webs);
  const latencies: number[] = [];
  const figures = {
    pages: 0,
    withWidgets: 0,
    withoutWidgets: 0,
    outOfDate: 0,
    notServed: 0,
    otherStatus: 0,
    unanswered: 0,
    foreign: 0,
  };
  const page = (web: AppInstance, userId: string): Promise<PageAnswer | undefined> =>
    fetch(`${web.url}/`, {
      headers: { cookie: cookies.get(userId)!, 'x-forwarded-for': browserAddress(userId) },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    }).then(
      async (response) => ({ status: response.status, html: await response.text() }),
      () => undefined,
    );
  const loadOne = async () => {
    const userId = anyOf(users, random);
    const started = performance.now();
    const answer = await balancer.send((web) => page(web, userId));
    latencies.push(performance.now() - started);
    figures.pages++;
    if (!answer) figures.unanswered++;
    else if (answer.status === 429 || answer.status === 503) figures.notServed++;
    else if (answer.status !== 200) figures.otherStatus++;
    else {
      if (expected(userId).every((text) => answer.html.includes(text))) figures.withWidgets++;
      else figures.withoutWidgets++;
      if (answer.html.includes('may be out of date')) figures.outOfDate++;
    }
    if (answer && namesAnotherUser(answer.html, userId)) figures.foreign++;
  };
  const started = Date.now();
  await closedLoop(concurrency, () => Date.now() < started + seconds * 1000, loadOne);
  const elapsedS = (Date.now() - started) / 1000;
  return {
    ...figures,
    seconds,
    concurrency,
    pagesPerSecond: figures.pages / elapsedS,
    instanceServerErrors: balancer.serverErrorTimes.length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}
