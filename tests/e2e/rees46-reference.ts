/**
 * A REES46-shaped file generated from a seeded random walk, and its figures
 * computed by brute force over the generated rows (never through the loader).
 */

/** One generated row, before it is written as CSV. */
export interface Rees46Row {
  second: number;
  type: 'view' | 'cart' | 'remove_from_cart' | 'purchase';
  productId: string;
  categoryId: string;
  priceCents: number;
  userId: string;
}

const TYPES = ['view', 'view', 'view', 'cart', 'remove_from_cart', 'purchase'] as const;
const START_MS = Date.UTC(2019, 9, 1);

/** `count` rows over `users` users, the same for the same seed. */
export function generateRees46Rows(count: number, users: number, seed = 7): Rees46Row[] {
  let state = seed >>> 0;
  const next = (n: number) => {
    // xorshift32: small, deterministic, good enough to spread test rows.
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state % n;
  };
  return Array.from({ length: count }, (_, i) => ({
    second: i * 7,
    type: TYPES[next(TYPES.length)]!,
    productId: String(1_000_000 + next(500)),
    categoryId: `20530135556318${String(10_000 + next(90_000))}`,
    priceCents: 1 + next(50_000),
    userId: String(500_000_000 + next(users)),
  }));
}

/** The rows as a REES46 CSV with its header. */
export function rees46Csv(rows: Rees46Row[]): string {
  const header =
    'event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session';
  const lines = rows.map((row) => {
    const time = new Date(START_MS + row.second * 1_000).toISOString();
    const eventTime = `${time.slice(0, 10)} ${time.slice(11, 19)} UTC`;
    const price = `${Math.floor(row.priceCents / 100)}.${String(row.priceCents % 100).padStart(2, '0')}`;
    const fields = [eventTime, row.type, row.productId, row.categoryId, '', 'acme', price];
    return [...fields, row.userId, `s-${row.userId}`].join(',');
  });
  return `${[header, ...lines].join('\n')}\n`;
}

/** Purchases and their revenue in cents, per user. */
export function purchasesByUser(rows: Rees46Row[]): Map<string, { orders: number; cents: number }> {
  const byUser = new Map<string, { orders: number; cents: number }>();
  for (const row of rows) {
    const figures = byUser.get(row.userId) ?? { orders: 0, cents: 0 };
    if (row.type === 'purchase') {
      figures.orders += 1;
      figures.cents += row.priceCents;
    }
    byUser.set(row.userId, figures);
  }
  return byUser;
}
