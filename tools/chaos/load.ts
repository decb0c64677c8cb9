import { percentile } from '../bench/harness';
import { card, TEAMS, userToken, type AppInstance } from './platform';

// The steady load of a chaos run: product teams publishing personalised widgets on product-api, and users
// reading their home screen through a client-side load balancer over the core-api instances.

export const LOAD_PRODUCTS: readonly string[] = TEAMS.a.productIds;
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
    const productId = LOAD_PRODUCTS[Math.floor(this.random() * LOAD_PRODUCTS.length)]!;
    const userId = this.users[Math.floor(this.random() * this.users.length)]!;
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

export interface ScreenAnswer {
  status: number;
  /** x-hwp-stale: part of the screen is a last known good copy. */
  stale: boolean;
  /** The data version of each personalised widget on the screen, by product id. */
  personalised: Map<string, number>;
  /** Personalised widgets on the screen that were published for another user (their text names the key). */
  foreign: number;
}

type ScreenWidgets = {
  provenance?: { productId: string; audience: string; dataVersion: string };
}[];

function personalisedWidgets(body: string): ScreenWidgets {
  const { widgets } = JSON.parse(body) as { widgets: ScreenWidgets };
  return widgets.filter(({ provenance }) => provenance?.audience === 'personalised');
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

/**
 * Reads GET /v1/home as users do behind a load balancer: round robin over the core-api instances; a
 * request an instance refuses, drops or answers with a 5xx is retried once on another (an idempotent GET,
 * as load balancers retry), and an instance that refused a connection is left out for a second.
 */
export class HomeReads {
  private readonly counts = { requests: 0, answered: 0, stale: 0, serverErrors: 0, unanswered: 0, other: 0 };
  private readonly latencies: number[] = [];
  /** When an instance answered a 5xx (epoch ms; retried on the other), to tell which fault caused it. */
  readonly instanceServerErrorTimes: number[] = [];
  private readonly resting = new Map<AppInstance, number>();
  private next = 0;
  private tokens = new Map<string, string>();
  private stopLoop: (() => Promise<void>) | undefined;

  constructor(
    private readonly instances: AppInstance[],
    private readonly users: string[],
    private readonly random: () => number,
  ) {}

  async start(perSecond: number): Promise<void> {
    for (const user of this.users) this.tokens.set(user, await userToken(user));
    this.stopLoop = openLoop(perSecond, () => this.readOne());
  }

  stop(): Promise<void> {
    return this.stopLoop?.() ?? Promise.resolve();
  }

  figures(): HomeFigures {
    return {
      ...this.counts,
      instanceServerErrors: this.instanceServerErrorTimes.length,
      p50Ms: percentile(this.latencies, 50),
      p99Ms: percentile(this.latencies, 99),
    };
  }

  /** One user's screen from one instance, or undefined when it did not answer. */
  async fetchScreen(instance: AppInstance, userId: string): Promise<ScreenAnswer | undefined> {
    const token = this.tokens.get(userId) ?? (await userToken(userId));
    try {
      const response = await fetch(`${instance.url}/v1/home`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const body = await response.text();
      const personalised = response.status === 200 ? personalisedWidgets(body) : [];
      return {
        status: response.status,
        stale: response.headers.get('x-hwp-stale') === 'true',
        personalised: new Map(
          personalised.map(({ provenance: p }) => [p!.productId, Number(p!.dataVersion)]),
        ),
        // The load writes "<productId> user:<userId> at <time>" into each widget it publishes; widgets
        // from elsewhere (a cold user's refresh) name no user.
        foreign: personalised.filter((widget) =>
          [...JSON.stringify(widget).matchAll(/ user:(\S+) at /g)].some(([, owner]) => owner !== userId),
        ).length,
      };
    } catch {
      return undefined;
    }
  }

  private pickInstance(exclude?: AppInstance): AppInstance {
    const now = Date.now();
    const candidates = this.instances.filter(
      (instance) => instance !== exclude && (this.resting.get(instance) ?? 0) <= now,
    );
    const pool = candidates.length ? candidates : this.instances.filter((instance) => instance !== exclude);
    return pool[this.next++ % pool.length]!;
  }

  private async readOne(): Promise<void> {
    const userId = this.users[Math.floor(this.random() * this.users.length)]!;
    const started = performance.now();
    this.counts.requests++;
    const first = this.pickInstance();
    let response = await this.fetchScreen(first, userId);
    if (!response || response.status >= 500) {
      if (response) this.instanceServerErrorTimes.push(Date.now());
      else this.resting.set(first, Date.now() + 1_000);
      response = await this.fetchScreen(this.pickInstance(first), userId);
    }
    this.latencies.push(performance.now() - started);
    if (!response) this.counts.unanswered++;
    else if (response.status === 200) {
      this.counts.answered++;
      if (response.stale) this.counts.stale++;
    } else if (response.status >= 500) this.counts.serverErrors++;
    else this.counts.other++;
  }
}
