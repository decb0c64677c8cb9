import { describe, expect, it } from 'vitest';
import { auditScope, type AuditReader } from './audit';
import { onePage } from './pages';

describe('auditScope', () => {
  const team: AuditReader = { role: 'team', productIds: ['deals', 'orders'] };

  it('gives an admin every product, or the one asked for', () => {
    expect(auditScope({ role: 'admin' }, undefined)).toEqual({ ok: true, productIds: undefined });
    expect(auditScope({ role: 'admin' }, 'loyalty')).toEqual({ ok: true, productIds: ['loyalty'] });
  });

  it("gives a team its own products, one of them on request, and refuses another team's", () => {
    expect(auditScope(team, undefined)).toEqual({ ok: true, productIds: ['deals', 'orders'] });
    expect(auditScope(team, 'orders')).toEqual({ ok: true, productIds: ['orders'] });
    expect(auditScope(team, 'loyalty')).toEqual({ ok: false });
  });
});

describe('onePage', () => {
  it('keeps `limit` rows and names the last one only when the extra row says more follow', () => {
    expect(onePage([1, 2, 3], 2)).toEqual({ page: [1, 2], last: 2 });
    expect(onePage([1, 2], 2)).toEqual({ page: [1, 2] });
    expect(onePage([], 2)).toEqual({ page: [] });
  });
});
