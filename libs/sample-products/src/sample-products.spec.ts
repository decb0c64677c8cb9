import { describe, expect, it } from 'vitest';
import { validateWidget } from '@hwp/sdui-schema';
import { DEMO_USERS, SAMPLE_PRODUCTS } from './sample-products';

describe('sample products', () => {
  it.each(SAMPLE_PRODUCTS.map((p) => [p.id, p] as const))(
    '%s publishes valid widgets for everyone and every demo user',
    (_, product) => {
      for (const userId of [undefined, ...DEMO_USERS]) {
        const result = validateWidget(product.widget(userId));
        expect(result.ok ? [] : result.errors, `${product.id} for ${userId ?? 'generic'}`).toEqual([]);
      }
    },
  );

  it('personalises deterministically and differently across users', () => {
    for (const product of SAMPLE_PRODUCTS) {
      expect(product.widget('user-0001')).toEqual(product.widget('user-0001'));
      const distinct = new Set(DEMO_USERS.slice(0, 20).map((u) => JSON.stringify(product.widget(u))));
      expect(distinct.size, product.id).toBeGreaterThan(1);
      expect(product.widget('user-0001')).not.toEqual(product.widget());
    }
  });
});
