import { EventType } from '@pulse/proto';
import type { Event } from '@pulse/proto';
import { DAY, HOUR, makeEvent } from './make-event.js';
import { pick, randomInt } from './random.js';

/** A line item as the generator knows it, independent of the protobuf shape. */
export interface LineItem {
  productId: string;
  category: string;
  price: number;
  quantity: number;
}

/**
 * A raw shop event: what the brute-force reference reads, and what
 * {@link toEvent} turns into a protobuf Event for the code under test.
 */
export interface ShopEvent {
  timeMs: number;
  action: 'order' | 'refund' | 'view' | 'page';
  /** Present for order, refund and view (they carry commerce). */
  revenue: number | undefined;
  items: LineItem[];
  /** Page path, for page events. */
  path: string | undefined;
}

/** The instant random event times are spread around: 2024-03-01T00:00Z. */
export const BASE_MS = Date.UTC(2024, 2, 1);

const CATEGORIES = ['shoes', 'bags', 'hats', 'socks', '42'];
const PATHS = ['/', '/sale', '/cart', '/help'];

function randomTime(random: () => number): number {
  const roll = random();
  // A tenth are very old; some sit exactly on an hour or day boundary.
  if (roll < 0.1) return BASE_MS - randomInt(random, 365 * DAY);
  const timeMs = BASE_MS + randomInt(random, 100 * DAY);
  if (roll < 0.2) return timeMs - (timeMs % HOUR);
  if (roll < 0.25) return timeMs - (timeMs % DAY);
  return timeMs;
}

function randomItems(random: () => number): LineItem[] {
  const items: LineItem[] = [];
  for (let i = randomInt(random, 4); i > 0; i--) {
    items.push({
      productId: `p${randomInt(random, 40)}`,
      category: pick(random, CATEGORIES),
      price: randomInt(random, 10_000) / 100,
      quantity: 1 + randomInt(random, 3),
    });
  }
  return items;
}

/** A random shop event; times are out of order and some are very old. */
export function randomShopEvent(random: () => number): ShopEvent {
  const action = pick(random, ['order', 'order', 'refund', 'view', 'page'] as const);
  const timeMs = randomTime(random);
  if (action === 'page') {
    return { timeMs, action, revenue: undefined, items: [], path: pick(random, PATHS) };
  }
  const cents = randomInt(random, 50_000);
  const revenue = action === 'refund' ? -cents / 100 : action === 'order' ? cents / 100 : 0;
  return { timeMs, action, revenue, items: randomItems(random), path: undefined };
}

const TRACK_NAMES = {
  order: 'Order Completed',
  refund: 'Order Refunded',
  view: 'Product Viewed',
} as const;

/** The protobuf Event for a shop event. */
export function toEvent(shop: ShopEvent): Event {
  if (shop.action === 'page') {
    const context = { page: { path: shop.path ?? '' } };
    return makeEvent({ type: EventType.PAGE, name: 'Page', context, timeMs: shop.timeMs });
  }
  const products = shop.items.map((item) => ({ ...item }));
  return makeEvent({
    event: TRACK_NAMES[shop.action],
    commerce: { revenue: shop.revenue, products },
    timeMs: shop.timeMs,
  });
}
