import { createHash } from 'node:crypto';
import type { CardNode, SduiNode, Widget } from '@hwp/sdui-schema';

/**
 * The demo's product backends, hosted by product-api: each computes a small, deterministic personalised
 * widget per user, so the demo shows real differences between users (and a generic widget for everyone).
 */
export interface SampleProduct {
  id: string;
  name: string;
  teamId: string;
  teamName: string;
  /** Every n-th demo user has a personalised widget of this product from the start. */
  personalisedEvery: number;
  widget(userId?: string): Widget;
}

/** A number in [0, modulo) derived from the user id: the same user always gets the same offer. */
function userNumber(userId: string, modulo: number): number {
  return createHash('sha256').update(userId).digest().readUInt32BE(0) % modulo;
}

/** The item `n` places along a list that is never empty, wrapping around. */
const cyclic = <Items extends readonly [unknown, ...unknown[]]>(items: Items, n: number): Items[number] =>
  items[n % items.length] ?? items[0];

const text = (id: string, value: string, style: 'title' | 'body' | 'caption' = 'body'): SduiNode => ({
  type: 'text',
  id,
  text: value,
  style,
});

function dealCard(id: string, title: string, priceMinor: number, discount: number): CardNode {
  return {
    type: 'card',
    id,
    accessibilityLabel: `${title}, ${discount}% off`,
    action: { type: 'navigate', deeplink: `homewidgets://deals/${id}` },
    children: [
      { type: 'badge', id: `${id}-badge`, label: `-${discount}%`, tone: 'promo' },
      text(`${id}-title`, title, 'title'),
      {
        type: 'price',
        id: `${id}-price`,
        amountMinor: Math.round((priceMinor * (100 - discount)) / 100),
        originalAmountMinor: priceMinor,
        currency: 'EUR',
      },
    ],
  };
}

const DEAL_ITEMS = [
  ['Noise-cancelling headphones', 19_900],
  ['Espresso machine', 34_900],
  ['Running shoes', 12_900],
  ['Smart watch', 24_900],
  ['Backpack', 7_900],
  ['Desk lamp', 4_900],
] as const;

export const SAMPLE_PRODUCTS: SampleProduct[] = [
  {
    id: 'deals',
    name: 'Deals',
    teamId: 'team-deals',
    teamName: 'Deals team',
    personalisedEvery: 2,
    widget(userId) {
      const start = userId ? userNumber(userId, DEAL_ITEMS.length) : 0;
      const picks = [0, 1, 2].map((i) => cyclic(DEAL_ITEMS, start + i));
      const discount = userId ? 10 + userNumber(userId, 40) : 15;
      const id = userId ? `deals-for-${userId}` : 'deals-of-the-day';
      return {
        type: 'carousel',
        id,
        itemSize: 'medium',
        children: picks.map(([title, price], i) => dealCard(`${id}-${i}`, title, price, discount)),
      };
    },
  },
  {
    id: 'subscriptions',
    name: 'Subscriptions',
    teamId: 'team-subscriptions',
    teamName: 'Subscriptions team',
    personalisedEvery: 3,
    widget(userId) {
      if (!userId) {
        return {
          type: 'banner',
          id: 'plans',
          title: 'Plans for every need',
          subtitle: 'Streaming, music and cloud storage in one bill',
          tone: 'info',
          accessibilityLabel: 'See all plans',
          action: { type: 'navigate', deeplink: 'homewidgets://subscriptions' },
        };
      }
      const days = 1 + userNumber(userId, 28);
      return {
        type: 'card',
        id: `plan-${userId}`,
        children: [
          text(`plan-${userId}-title`, 'Your Premium plan', 'title'),
          text(`plan-${userId}-renewal`, `Renews in ${days} day${days === 1 ? '' : 's'}`),
          {
            type: 'button',
            id: `plan-${userId}-manage`,
            label: 'Manage plan',
            accessibilityLabel: 'Manage your Premium plan',
            emphasis: 'medium',
            action: { type: 'navigate', deeplink: 'homewidgets://subscriptions/mine' },
          },
        ],
      };
    },
  },
  {
    id: 'loyalty',
    name: 'Loyalty',
    teamId: 'team-loyalty',
    teamName: 'Loyalty team',
    personalisedEvery: 1,
    widget(userId) {
      if (!userId) {
        return {
          type: 'card',
          id: 'loyalty-join',
          accessibilityLabel: 'Join the loyalty club',
          action: { type: 'navigate', deeplink: 'homewidgets://loyalty/join' },
          children: [
            text('loyalty-join-title', 'Join the loyalty club', 'title'),
            text('loyalty-join-body', 'Collect points with every order'),
          ],
        };
      }
      const points = userNumber(userId, 5000);
      return {
        type: 'card',
        id: `loyalty-${userId}`,
        children: [
          text(`loyalty-${userId}-title`, `${points.toLocaleString('en')} points`, 'title'),
          {
            type: 'progress',
            id: `loyalty-${userId}-progress`,
            value: points,
            max: 5000,
            label: 'Towards your next reward',
          },
        ],
      };
    },
  },
  {
    id: 'travel',
    name: 'Travel',
    teamId: 'team-travel',
    teamName: 'Travel team',
    personalisedEvery: 5,
    widget(userId) {
      const cities: [string, ...string[]] = [
        'Lisbon',
        'Vienna',
        'Prague',
        'Seville',
        'Copenhagen',
        'Kraków',
        'Porto',
        'Ghent',
        'Bologna',
      ];
      const city = userId ? cyclic(cities, userNumber(userId, cities.length)) : 'somewhere new';
      return {
        type: 'section',
        id: userId ? `trips-${userId}` : 'trips',
        title: userId ? `A weekend in ${city}?` : 'Travel ideas',
        children: [
          {
            type: 'list-item',
            id: userId ? `trips-${userId}-offer` : 'trips-offer',
            title: userId ? `2 nights in ${city}` : 'City breaks from 2 nights',
            subtitle: 'Hotel and flights',
            trailing: {
              type: 'rating',
              id: userId ? `trips-${userId}-rating` : 'trips-rating',
              value: 4.5,
              reviewCount: 1280,
            },
            accessibilityLabel: userId ? `See the ${city} offer` : 'See city breaks',
            action: { type: 'navigate', deeplink: 'homewidgets://travel' },
          },
        ],
      };
    },
  },
];

export function sampleProduct(productId: string): SampleProduct | undefined {
  return SAMPLE_PRODUCTS.find((product) => product.id === productId);
}

export const DEMO_USERS = Array.from({ length: 300 }, (_, i) => `user-${String(i + 1).padStart(4, '0')}`);
