import { Readable } from 'node:stream';
import { Redis } from 'ioredis';
import { segmentKey, storedMemberships } from '@hwp/cache';
import { MAX_MEMBERS_PER_PAGE } from '@hwp/widget-events';

/** A load of members into one segment of a running platform. */
export interface SegmentLoad {
  productApiUrl: string;
  /** The product team's API key. */
  key: string;
  productId: string;
  segmentId: string;
  count: number;
  /** The user ids are `<prefix>-1` … `<prefix>-<count>`. */
  prefix: string;
  /** The durable Redis to wait on for the segment index; undefined: do not wait. */
  redisUrl?: string;
  /** Progress lines. */
  log: (line: string) => void;
}

export interface SegmentLoadTimes {
  /** From the first byte sent to product-api's answer. */
  acceptedSeconds: number;
  /** From the first byte sent to the last page in the segment index; absent when not waited for. */
  deliveredSeconds?: number;
  added: number;
  memberCount: number;
  dataVersion: number;
}

interface Figures {
  memberCount: number;
  dataVersion: number;
}

/** A progress line this often. */
const PROGRESS_EVERY_MS = 5_000;
/** Ids per chunk of the request body. */
const IDS_PER_CHUNK = 1_000;

/**
 * Creates the segment if needed and adds `count` members as one streamed text/plain upload; then, given a
 * durable Redis, waits until the pipeline has delivered the last page to the segment index. What
 * `npm run segments:load` runs, and what a bench section would.
 */
export async function loadSegment(load: SegmentLoad): Promise<SegmentLoadTimes> {
  const { key, count, log } = load;
  const segmentUrl = `${load.productApiUrl}/v1/products/${load.productId}/segments/${load.segmentId}`;
  const userId = (n: number) => `${load.prefix}-${n}`;

  const before = (await call(segmentUrl, { method: 'PUT', key, json: { name: load.segmentId } })) as Figures;
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  // Progress as product-api applies the pages (what was sent may sit in socket buffers for a while).
  const progress = setInterval(() => {
    void call(segmentUrl, { method: 'GET', key })
      .then((now) => {
        const pages = (now as Figures).dataVersion - before.dataVersion;
        log(
          `${Math.min(count, pages * MAX_MEMBERS_PER_PAGE)} of ${count} ids applied (${seconds().toFixed(1)} s)`,
        );
      })
      .catch(() => undefined);
  }, PROGRESS_EVERY_MS);
  const answer = (await call(`${segmentUrl}/members/upload?operation=add`, {
    method: 'POST',
    key,
    text: Readable.from(ids(count, userId)),
  }).finally(() => clearInterval(progress))) as Figures & { added: number };
  const times: SegmentLoadTimes = {
    acceptedSeconds: seconds(),
    added: answer.added,
    memberCount: answer.memberCount,
    dataVersion: answer.dataVersion,
  };
  if (load.redisUrl === undefined) return times;

  // The last id went in the last page: once the index has it at that page's version, every page is there.
  const redis = new Redis(load.redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const last = userId(count);
    const member = segmentKey(load.productId, load.segmentId);
    while (((await storedMemberships(redis, last)).get(member) ?? 0) < answer.dataVersion)
      await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    redis.disconnect();
  }
  return { ...times, deliveredSeconds: seconds() };
}

/** The body: one id a line, in chunks of IDS_PER_CHUNK. */
function* ids(count: number, userId: (n: number) => string): Generator<string> {
  for (let from = 1; from <= count; from += IDS_PER_CHUNK) {
    const to = Math.min(count, from + IDS_PER_CHUNK - 1);
    let chunk = '';
    for (let n = from; n <= to; n++) chunk += `${userId(n)}\n`;
    yield chunk;
  }
}

async function call(
  url: string,
  request: { method: string; key: string; json?: unknown; text?: Readable },
): Promise<unknown> {
  const response = await fetch(url, {
    method: request.method,
    headers: {
      'x-api-key': request.key,
      'content-type': request.text ? 'text/plain' : 'application/json',
    },
    body: request.text ? (Readable.toWeb(request.text) as ReadableStream) : JSON.stringify(request.json),
    ...(request.text ? { duplex: 'half' } : {}),
  }).catch((error: Error) => {
    throw new Error(
      `product-api at ${new URL(url).origin} is unreachable (${error.message}); is it running?`,
    );
  });
  const body = (await response.json()) as { detail?: string };
  if (!response.ok)
    throw new Error(`${request.method} ${new URL(url).pathname}: ${response.status} ${body.detail ?? ''}`);
  return body;
}
