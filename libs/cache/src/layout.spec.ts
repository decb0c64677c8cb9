import { describe, expect, it } from 'vitest';
import { parseWidgetInvalidation } from './layout';

describe('parseWidgetInvalidation', () => {
  it('reads what the ingester publishes', () => {
    const message = JSON.stringify({ productId: 'deals', audience: 'user:u-1', dataVersion: 7 });
    expect(parseWidgetInvalidation(message)).toEqual({
      productId: 'deals',
      audience: 'user:u-1',
      dataVersion: 7,
    });
  });

  it("keeps the change's trace context", () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const message = JSON.stringify({ productId: 'deals', audience: 'generic', dataVersion: 1, traceparent });
    expect(parseWidgetInvalidation(message)).toHaveProperty('traceparent', traceparent);
  });

  it.each([
    ['not JSON', '{'],
    ['a bad audience', JSON.stringify({ productId: 'deals', audience: 'everyone', dataVersion: 1 })],
    [
      'a version that is not an integer',
      JSON.stringify({ productId: 'deals', audience: 'generic', dataVersion: '1' }),
    ],
    ['no product', JSON.stringify({ audience: 'generic', dataVersion: 1 })],
  ])('ignores %s', (_, message) => {
    expect(parseWidgetInvalidation(message)).toBeUndefined();
  });
});
