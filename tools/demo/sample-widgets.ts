import { createHash } from 'node:crypto';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface DemoProduct {
  id: string;
  name: string;
  teamId: string;
  teamName: string;
  /** Every n-th seeded user gets a personalised widget of this product. */
  personalisedEvery: number;
}

export const DEMO_PRODUCTS: DemoProduct[] = [
  { id: 'deals', name: 'Deals', teamId: 'team-deals', teamName: 'Deals team', personalisedEvery: 2 },
  {
    id: 'subscriptions',
    name: 'Subscriptions',
    teamId: 'team-subscriptions',
    teamName: 'Subscriptions team',
    personalisedEvery: 3,
  },
  { id: 'loyalty', name: 'Loyalty', teamId: 'team-loyalty', teamName: 'Loyalty team', personalisedEvery: 1 },
  { id: 'travel', name: 'Travel', teamId: 'team-travel', teamName: 'Travel team', personalisedEvery: 5 },
];

export const DEMO_USERS = Array.from({ length: 300 }, (_, i) => `user-${String(i + 1).padStart(4, '0')}`);

/** A small number derived from the user id, so personalisation is deterministic across runs. */
function userNumber(userId: string, modulo: number): number {
  return createHash('sha256').update(userId).digest().readUInt32BE(0) % modulo;
}

/** The demo widget of `product`: generic without a user, personalised with one. */
export function demoWidget(product: DemoProduct, userId?: string): JsonObject {
  const id = `${product.id}-${userId ?? 'generic'}`;
  const text = (suffix: string, value: string, style = 'body'): JsonObject => ({
    type: 'text',
    id: `${id}-${suffix}`,
    text: value,
    style,
  });
  switch (product.id) {
    case 'deals': {
      const discount = userId ? 10 + userNumber(userId, 40) : 15;
      return {
        type: 'card',
        id,
        children: [
          text('title', userId ? `Picked for you: ${discount}% off headphones` : 'Deals of the day', 'title'),
          { type: 'price', id: `${id}-price`, amount: 199 - discount, currency: 'EUR', originalAmount: 199 },
        ],
      };
    }
    case 'subscriptions':
      return {
        type: 'card',
        id,
        children: [
          text(
            'title',
            userId ? `Your plan renews in ${1 + userNumber(userId, 28)} days` : 'Plans for every need',
            'title',
          ),
        ],
      };
    case 'loyalty': {
      const points = userId ? userNumber(userId, 5000) : 0;
      return {
        type: 'card',
        id,
        children: [
          text('title', userId ? `${points} points` : 'Join the loyalty club', 'title'),
          {
            type: 'progress',
            id: `${id}-progress`,
            value: points,
            max: 5000,
            label: 'Points to the next reward',
          },
        ],
      };
    }
    default:
      return {
        type: 'card',
        id,
        children: [
          text(
            'title',
            userId ? `Weekend trips from city ${1 + userNumber(userId, 9)}` : 'Travel ideas',
            'title',
          ),
        ],
      };
  }
}
