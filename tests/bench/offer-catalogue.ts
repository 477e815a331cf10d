import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { RETAIL_DEFINITIONS_DIR } from './engine-fixture.js';

/** Audiences of the retail definitions that generated offers include. */
const AUDIENCES = ['repeat_buyers_7d', 'big_spenders_30d', 'lapsed', 'uk', 'international'];

/**
 * A definitions folder with the retail features and audiences and `count`
 * generated offers at `placement`, shaped like the retail catalogue: a third
 * restricted to an audience, a quarter with an eligibility rule, a fifth
 * with a boost read from the category affinity, ten groups. Decisions learn
 * with the Beta-Bernoulli sampler (the default).
 */
export function writeOfferCatalogue(dir: string, placement: string, count: number): string {
  mkdirSync(dir, { recursive: true });
  for (const file of ['features.yaml', 'audiences.yaml', 'identity.yaml']) {
    copyFileSync(join(RETAIL_DEFINITIONS_DIR, file), join(dir, file));
  }
  const offers = Array.from({ length: count }, (_, i) => ({
    id: `offer_${String(i).padStart(3, '0')}`,
    name: `Generated offer ${i}`,
    group: `g${i % 10}`,
    placements: [placement],
    ...(i % 3 === 0 ? { audiences: { include: [AUDIENCES[i % AUDIENCES.length]] } } : {}),
    ...(i % 4 === 1 ? { eligibility: 'features.orders_30d >= 1.0' } : {}),
    ...(i % 5 === 2
      ? {
          boost:
            "'LANTERN' in features.category_affinity ? features.category_affinity['LANTERN'] / 100.0 : 0.0",
        }
      : {}),
    priority: 1 + (i % 5),
    value: 5 + (i % 20),
    content: { headline: `Offer ${i}` },
  }));
  writeFileSync(join(dir, 'offers.yaml'), stringify({ offers }));
  return dir;
}
