import { describe, expect, it } from 'vitest';
import { membersChange } from '@hwp/api-bodies';
import {
  linesOf,
  Segments,
  type MembershipPage,
  type MembershipResult,
  type Segment,
  type SegmentDeletion,
  type SegmentStore,
} from './segments';

/** Segments in memory: enough of the store to watch what an upload applies, page by page. */
class MemorySegments implements SegmentStore {
  readonly memberIds = new Set<string>();
  readonly pages: MembershipPage[] = [];
  version = 0;
  exists = true;
  failOnPage?: number;

  put(): Promise<Segment> {
    throw new Error('not used');
  }
  get(productId: string, segmentId: string): Promise<Segment | undefined> {
    const at = new Date(0);
    return Promise.resolve(
      this.exists
        ? {
            productId,
            segmentId,
            name: segmentId,
            memberCount: this.memberIds.size,
            dataVersion: this.version,
            createdAt: at,
            updatedAt: at,
          }
        : undefined,
    );
  }
  find(): Promise<Segment[]> {
    throw new Error('not used');
  }
  sorted(): string[] {
    return [...this.memberIds].sort();
  }
  members(): Promise<string[]> {
    return Promise.resolve(this.sorted());
  }
  changeMembers(_p: string, _s: string, page: MembershipPage): Promise<MembershipResult | undefined> {
    if (!this.exists) return Promise.resolve(undefined);
    if (this.failOnPage === this.pages.length + 1) return Promise.reject(new Error('database down'));
    this.pages.push(page);
    const added = page.add.filter((id) => !this.memberIds.has(id) && this.memberIds.add(id)).length;
    const removed = page.remove.filter((id) => this.memberIds.delete(id)).length;
    this.version++;
    return Promise.resolve({ added, removed, memberCount: this.memberIds.size, dataVersion: this.version });
  }
  delete(): Promise<SegmentDeletion> {
    throw new Error('not used');
  }
}

async function* chunks(...parts: string[]) {
  for (const part of parts) yield Buffer.from(part);
}
const collect = async (lines: AsyncIterable<string>) => {
  const all: string[] = [];
  for await (const line of lines) all.push(line);
  return all;
};
const ids = (count: number, from = 1) =>
  Array.from({ length: count }, (_, i) => `user-${String(from + i).padStart(5, '0')}`);
const body = (lines: string[]) => linesOf(chunks(lines.map((line) => `${line}\n`).join('')));

describe('membership uploads', () => {
  it('applies the ids in pages of the page size, the last one partial, and answers the totals', async () => {
    const store = new MemorySegments();
    const outcome = await new Segments(store, Date.now, 3).upload('deals', 'annual', body(ids(7)), {
      operation: 'add',
      after: 0,
    });
    expect(store.pages.map((page) => page.add.length)).toEqual([3, 3, 1]);
    expect(outcome).toEqual({
      ok: true,
      added: 7,
      removed: 0,
      memberCount: 7,
      dataVersion: 3,
      acceptedThrough: 7,
    });
  });

  it('stops at a malformed line, reports the lines applied in full pages, and resumes after them', async () => {
    const store = new MemorySegments();
    const segments = new Segments(store, Date.now, 3);
    const lines = [...ids(4), 'not a user id', ...ids(2, 5)];
    const failed = await segments.upload('deals', 'annual', body(lines), { operation: 'add', after: 0 });
    expect(failed).toMatchObject({ ok: false, reason: 'malformed', line: 5, acceptedThrough: 3 });
    // user-00004 was read but not applied: its page was not complete.
    expect(store.sorted()).toEqual(ids(3));

    lines[4] = 'user-09999';
    const resumed = await segments.upload('deals', 'annual', body(lines), { operation: 'add', after: 3 });
    expect(resumed).toMatchObject({ ok: true, added: 4, acceptedThrough: 7 });
    expect(store.sorted()).toEqual([...ids(6), 'user-09999']);
  });

  it('reports how far it got when a page fails, and removes members with operation remove', async () => {
    const store = new MemorySegments();
    for (const id of ids(6)) store.memberIds.add(id);
    store.failOnPage = 2;
    const outcome = await new Segments(store, Date.now, 2).upload('deals', 'annual', body(ids(6)), {
      operation: 'remove',
      after: 0,
    });
    expect(outcome).toMatchObject({ ok: false, reason: 'failed', acceptedThrough: 2 });
    expect(store.sorted()).toEqual(ids(4, 3));
  });

  it('reports how far it got when the body breaks off', async () => {
    const store = new MemorySegments();
    async function* brokenOff() {
      yield ids(5).join('\n') + '\n';
      throw new Error('aborted');
    }
    const outcome = await new Segments(store, Date.now, 2).upload('deals', 'annual', linesOf(brokenOff()), {
      operation: 'add',
      after: 0,
    });
    expect(outcome).toMatchObject({ ok: false, reason: 'failed', acceptedThrough: 4 });
    expect(store.sorted()).toEqual(ids(4));
  });

  it('refuses an unknown segment, and a repeated or blank line changes nothing', async () => {
    const store = new MemorySegments();
    const segments = new Segments(store, Date.now, 10);
    const twice = await segments.upload('deals', 'annual', body(['user-1', '', 'user-1', ' user-2 ']), {
      operation: 'add',
      after: 0,
    });
    expect(twice).toMatchObject({ ok: true, added: 2, memberCount: 2, acceptedThrough: 4 });
    expect(store.pages).toEqual([{ add: ['user-1', 'user-2'], remove: [] }]);
    store.exists = false;
    const unknown = await segments.upload('deals', 'gone', body(['user-1']), { operation: 'add', after: 0 });
    expect(unknown).toMatchObject({ ok: false, reason: 'unknown-segment', acceptedThrough: 0 });
  });
});

describe('linesOf', () => {
  it('splits LF and CRLF lines across chunk boundaries, multi-byte characters included', async () => {
    const euro = Buffer.from('€');
    async function* split() {
      yield Buffer.from('user-1\r\nus');
      yield Buffer.from('er-2\nx');
      yield euro.subarray(0, 1);
      yield euro.subarray(1);
      yield Buffer.from('\nlast');
    }
    expect(await collect(linesOf(split()))).toEqual(['user-1\r', 'user-2', 'x€', 'last']);
  });

  it('hands on an overlong line cut short instead of buffering it', async () => {
    const lines = await collect(linesOf(chunks('a'.repeat(5000), 'b'.repeat(5000))));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.length).toBeLessThan(5000);
  });
});

describe('a page of membership changes', () => {
  it('names a malformed id by its index, and an id both added and removed', () => {
    const result = membersChange.safeParse({ add: ['user-1', 'bad id'], remove: ['user-1'] });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path)).toEqual([
      ['add', 1],
      ['remove', 0],
    ]);
    const both = membersChange.safeParse({ add: ['user-1'], remove: ['user-2', 'user-1'] });
    expect(both.error?.issues.map((issue) => issue.path)).toEqual([['remove', 1]]);
  });

  it('takes up to 10,000 ids and refuses an empty page', () => {
    expect(membersChange.safeParse({ add: ids(10_000) }).success).toBe(true);
    expect(membersChange.safeParse({ add: ids(10_001) }).success).toBe(false);
    expect(membersChange.safeParse({ add: ids(6_000), remove: ids(4_001, 20_000) }).success).toBe(false);
    expect(membersChange.safeParse({}).success).toBe(false);
  });
});
