import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDecisionConfig } from '../src/decision/decision-config.js';

const RETAIL = join(import.meta.dirname, '../../../deploy/definitions/retail/decisions.yaml');
const DAY_MS = 86_400_000;

describe('parseDecisionConfig', () => {
  it('reads the retail file: durations in ms, placements and context as written', () => {
    const config = parseDecisionConfig(readFileSync(RETAIL, 'utf8'));
    expect(config.contact.defaultOffer).toEqual({ maxImpressions: 5, windowMs: DAY_MS });
    expect(config.contact.offers?.welcome_back).toEqual({
      maxImpressions: 1,
      windowMs: 7 * DAY_MS,
      conversionCooldownMs: 30 * DAY_MS,
    });
    expect(config.learning.attributionWindowMs).toBe(DAY_MS);
    expect(config.learning.contextIds).toEqual(['orders_30d', 'spend_30d']);
    expect(config.learning.placements.homepage).toMatchObject({ model: 'linear', limit: 3 });
    expect(config.learning.placements.email).toMatchObject({ model: 'fixed' });
  });

  it('names the field at fault', () => {
    expect(() => parseDecisionConfig('contact: { offers: { x: { window: 3 } } }')).toThrow(
      /^contact\.offers\.x\.window: must be a duration/,
    );
    expect(() => parseDecisionConfig('learning: { attribution_window: soon }')).toThrow(
      /^learning\.attribution_window: /,
    );
    expect(() => parseDecisionConfig('offers: []')).toThrow(/offers|Unrecognized/);
    expect(() =>
      parseDecisionConfig('learning: { placements: { home: { model: magic } } }'),
    ).toThrow(/model/);
  });
});
