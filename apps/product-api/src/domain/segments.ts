import { MAX_MEMBERS_PER_PAGE, USER_ID_PATTERN } from '@hwp/widget-events';
import { onePage } from './pages';

/** A product's named set of user ids (docs/adr/0027-segments.md). */
export interface Segment {
  productId: string;
  segmentId: string;
  name: string;
  memberCount: number;
  /** Grows by one with every membership page and deletion; the members' events carry it. */
  dataVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

/** One page of membership changes; no user id in both lists. */
export interface MembershipPage {
  add: string[];
  remove: string[];
}

/** What a page did: how many users actually joined and left, and the segment after it. */
export interface MembershipResult {
  added: number;
  removed: number;
  memberCount: number;
  dataVersion: number;
}

export interface KeyPage<T> {
  items: T[];
  /** The last key of this page when more follow: the `after` of the next page. */
  next?: string;
}

/** Port: segments and their members, in the product database. */
export interface SegmentStore {
  /** Creates the segment (again, after a deletion) or renames it. */
  put(productId: string, segmentId: string, name: string): Promise<Segment>;
  /** The segment unless it does not exist or was deleted. */
  get(productId: string, segmentId: string): Promise<Segment | undefined>;
  /** Up to `limit` segments after `after`, in id order. */
  find(productId: string, after: string | undefined, limit: number): Promise<Segment[]>;
  /**
   * Applies the page and saves its outbox event in ONE transaction, the segment locked throughout so that
   * pages of one segment take versions in the order they commit; undefined when the segment does not exist.
   */
  changeMembers(
    productId: string,
    segmentId: string,
    page: MembershipPage,
    acceptedAt: number,
    traceparent?: string,
  ): Promise<MembershipResult | undefined>;
  /** Up to `limit` members after `after`, in user id order. */
  members(productId: string, segmentId: string, after: string | undefined, limit: number): Promise<string[]>;
  /**
   * Removes every member and marks the segment deleted, with its outbox event, unless there is no such
   * segment or a running experiment is for its members (checked with the segment locked, so an experiment
   * starting meanwhile either commits first and is seen, or finds the segment deleted).
   */
  delete(
    productId: string,
    segmentId: string,
    acceptedAt: number,
    traceparent?: string,
  ): Promise<SegmentDeletion>;
}

export type SegmentDeletion =
  | { ok: true }
  | { ok: false; reason: 'unknown-segment' }
  | { ok: false; reason: 'in-use'; experimentId: string };

export const SEGMENT_STORE = Symbol('SegmentStore');

/** The longest line an upload may hold: a user id is at most 64 characters; a longer line is malformed. */
const MAX_LINE_LENGTH = 1024;

/** The outcome of a streamed upload. `acceptedThrough` counts the lines applied, skipped ones included. */
export type UploadOutcome =
  | ({ ok: true; acceptedThrough: number } & MembershipResult)
  | {
      ok: false;
      reason: 'malformed';
      acceptedThrough: number;
      /** The 1-based line at fault. */
      line: number;
      detail: string;
    }
  | { ok: false; reason: 'unknown-segment'; acceptedThrough: number; detail: string }
  | { ok: false; reason: 'failed'; acceptedThrough: number; error: Error };

export interface Upload {
  operation: 'add' | 'remove';
  /** Lines to skip: a failed upload's `acceptedThrough`, to resume there. */
  after: number;
}

/**
 * The segment use cases. An upload is applied in pages of MAX_MEMBERS_PER_PAGE ids, each its own
 * transaction, as it streams in: it needs no memory beyond one page, holds no lock between pages, and on a
 * failure reports how far it got (`acceptedThrough`), so that a retry resumes there. Every page is
 * idempotent, so re-sending lines already applied changes nothing.
 */
export class Segments {
  constructor(
    private readonly store: SegmentStore,
    private readonly now: () => number = Date.now,
    private readonly pageSize = MAX_MEMBERS_PER_PAGE,
  ) {}

  put(productId: string, segmentId: string, name: string): Promise<Segment> {
    return this.store.put(productId, segmentId, name);
  }

  get(productId: string, segmentId: string): Promise<Segment | undefined> {
    return this.store.get(productId, segmentId);
  }

  async list(productId: string, after: string | undefined, limit: number): Promise<KeyPage<Segment>> {
    const rows = await this.store.find(productId, after, limit + 1);
    const { page, last } = onePage(rows, limit);
    return { items: page, next: last?.segmentId };
  }

  async members(
    productId: string,
    segmentId: string,
    after: string | undefined,
    limit: number,
  ): Promise<KeyPage<string> | undefined> {
    if (!(await this.store.get(productId, segmentId))) return undefined;
    const rows = await this.store.members(productId, segmentId, after, limit + 1);
    const { page, last } = onePage(rows, limit);
    return { items: page, next: last };
  }

  changeMembers(
    productId: string,
    segmentId: string,
    page: MembershipPage,
    traceparent?: string,
  ): Promise<MembershipResult | undefined> {
    return this.store.changeMembers(productId, segmentId, page, this.now(), traceparent);
  }

  delete(productId: string, segmentId: string, traceparent?: string): Promise<SegmentDeletion> {
    return this.store.delete(productId, segmentId, this.now(), traceparent);
  }

  /** Applies an upload of one user id per line, page by page; blank lines count but change nothing. */
  async upload(
    productId: string,
    segmentId: string,
    lines: AsyncIterable<string>,
    { operation, after }: Upload,
    traceparent?: string,
  ): Promise<UploadOutcome> {
    const total: MembershipResult = { added: 0, removed: 0, memberCount: 0, dataVersion: 0 };
    let acceptedThrough = after;
    let lineNumber = 0;
    let ids = new Set<string>();
    const applyPage = async (through: number): Promise<UploadOutcome | undefined> => {
      const page = operation === 'add' ? { add: [...ids], remove: [] } : { add: [], remove: [...ids] };
      let result: MembershipResult | undefined;
      try {
        result = await this.changeMembers(productId, segmentId, page, traceparent);
      } catch (error) {
        return { ok: false, reason: 'failed', acceptedThrough, error: error as Error };
      }
      if (!result) return unknownSegment(segmentId, acceptedThrough);
      total.added += result.added;
      total.removed += result.removed;
      total.memberCount = result.memberCount;
      total.dataVersion = result.dataVersion;
      acceptedThrough = through;
      ids = new Set();
      return undefined;
    };
    try {
      for await (const line of lines) {
        lineNumber++;
        if (lineNumber <= after) continue;
        const userId = line.trim();
        if (userId === '') continue;
        if (!USER_ID_PATTERN.test(userId))
          return {
            ok: false,
            reason: 'malformed',
            acceptedThrough,
            line: lineNumber,
            detail: `line ${lineNumber} is not a user id (1-64 letters, digits, ".", "_" or "-")`,
          };
        ids.add(userId);
        if (ids.size === this.pageSize) {
          const failure = await applyPage(lineNumber);
          if (failure) return failure;
        }
      }
    } catch (error) {
      // The body broke off (the client went away, the network failed): the pages applied stay applied.
      return { ok: false, reason: 'failed', acceptedThrough, error: error as Error };
    }
    if (ids.size > 0) {
      const failure = await applyPage(lineNumber);
      if (failure) return failure;
    }
    if (total.dataVersion === 0) {
      // Nothing to apply (an empty body, or every line skipped): the segment's figures as they are.
      const segment = await this.store.get(productId, segmentId);
      if (!segment) return unknownSegment(segmentId, acceptedThrough);
      total.memberCount = segment.memberCount;
      total.dataVersion = segment.dataVersion;
    }
    return { ok: true, ...total, acceptedThrough: Math.max(lineNumber, after) };
  }
}

const unknownSegment = (segmentId: string, acceptedThrough: number): UploadOutcome => ({
  ok: false,
  reason: 'unknown-segment',
  acceptedThrough,
  detail: `no segment ${segmentId}`,
});

/**
 * The lines of a byte stream (LF or CRLF), read as the caller asks for them: the stream is paused while a
 * page is applied. A line longer than any user id is handed on cut short, and so refused as malformed,
 * rather than buffered without bound.
 */
export async function* linesOf(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  let partial = '';
  const decoder = new TextDecoder();
  for await (const chunk of chunks) {
    partial += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let newline = partial.indexOf('\n');
    while (newline !== -1) {
      yield partial.slice(0, newline);
      partial = partial.slice(newline + 1);
      newline = partial.indexOf('\n');
    }
    if (partial.length > MAX_LINE_LENGTH) {
      yield partial.slice(0, MAX_LINE_LENGTH + 1);
      return;
    }
  }
  partial += decoder.decode();
  if (partial !== '') yield partial;
}
