import { describe, expect, it } from 'vitest';
import {
  MAX_WIDGETS_PER_PAGE,
  campaignBody,
  encodeCursor,
  endpointRegistration,
  ingestedWidgetsQuery,
  layoutBody,
  refreshRequest,
  userIdSchema,
  widgetListQuery,
} from './index';

const paths = (result: { error?: { issues: { path: PropertyKey[] }[] } }) =>
  result.error?.issues.map((issue) => issue.path.join('/'));

describe('the request bodies', () => {
  it('takes a refresh call of 1 to 1,000 distinct users or the generic pull, and nothing else', () => {
    const users = (count: number) => Array.from({ length: count }, (_, i) => `user-${i}`);
    expect(refreshRequest.parse({ userIds: users(1000) })).toEqual({ userIds: users(1000) });
    expect(refreshRequest.parse({ audience: 'generic' })).toEqual({ audience: 'generic' });
    expect(paths(refreshRequest.safeParse({ userIds: [] }))).toEqual(['userIds']);
    expect(paths(refreshRequest.safeParse({ userIds: ['ann', 'ann'] }))).toEqual(['userIds']);
    expect(paths(refreshRequest.safeParse({ userIds: ['a b'] }))).toEqual(['userIds/0']);
    for (const body of [
      {},
      { userIds: users(1001) },
      { audience: 'user:ann' },
      { audience: 'generic', userIds: ['ann'] },
    ])
      expect(refreshRequest.safeParse(body).success).toBe(false);
  });

  it('refuses a campaign that repeats a user, or names an invalid one, at the field', () => {
    const entry = (userId: string) => ({ userId, widget: {} });
    expect(campaignBody.safeParse({ widgets: [entry('ann'), entry('bob')] }).success).toBe(true);
    expect(paths(campaignBody.safeParse({ widgets: [entry('ann'), entry('ann')] }))).toEqual(['widgets']);
    expect(paths(campaignBody.safeParse({ widgets: [entry('ann'), entry('a b')] }))).toEqual([
      'widgets/1/userId',
    ]);
    expect(userIdSchema.safeParse('x'.repeat(65)).success).toBe(false);
  });

  it('takes an http(s) refresh endpoint, never pulled by default, with a secret of 32 characters or more', () => {
    const registration = { url: 'https://deals.example/refresh', secret: 's'.repeat(32) };
    expect(endpointRegistration.parse(registration)).toEqual({ ...registration, genericPullSeconds: null });
    expect(paths(endpointRegistration.safeParse({ ...registration, url: 'ftp://deals.example/' }))).toEqual([
      'url',
    ]);
    expect(paths(endpointRegistration.safeParse({ ...registration, secret: 'short' }))).toEqual(['secret']);
  });

  it('refuses a layout with members besides productIds', () => {
    expect(layoutBody.safeParse({ productIds: ['deals'] }).success).toBe(true);
    expect(layoutBody.safeParse({ productIds: ['deals'], updatedAt: null }).success).toBe(false);
  });
});

describe('the queries', () => {
  it('reads back the cursor it made, with a default page size, and refuses one it did not make', () => {
    expect(widgetListQuery.parse({ cursor: encodeCursor('user:ann') })).toEqual({
      limit: 50,
      cursor: 'user:ann',
    });
    // A cursor of something that is no audience: one this API never hands out.
    const foreign = Buffer.from('nobody').toString('base64url');
    expect(paths(widgetListQuery.safeParse({ cursor: foreign }))).toEqual(['cursor']);
    expect(paths(widgetListQuery.safeParse({ limit: String(MAX_WIDGETS_PER_PAGE + 1) }))).toEqual(['limit']);
  });

  it('asks for the audiences of at most one listing page', () => {
    const page = (n: number) => Array.from({ length: n }, (_, i) => `user:u${i}`).join(',');
    expect(ingestedWidgetsQuery.parse({ audiences: 'generic,user:ann' })).toEqual({
      audiences: ['generic', 'user:ann'],
    });
    expect(ingestedWidgetsQuery.safeParse({ audiences: page(MAX_WIDGETS_PER_PAGE) }).success).toBe(true);
    expect(ingestedWidgetsQuery.safeParse({ audiences: page(MAX_WIDGETS_PER_PAGE + 1) }).success).toBe(false);
  });
});
