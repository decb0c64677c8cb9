import { describe, expect, it } from 'vitest';
import { campaignBody, endpointRegistration, layoutBody, userIdSchema } from './index';

const paths = (result: { error?: { issues: { path: PropertyKey[] }[] } }) =>
  result.error?.issues.map((issue) => issue.path.join('/'));

describe('the request bodies', () => {
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
