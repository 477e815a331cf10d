import { describe, expect, it } from 'vitest';

import { productCategory } from '../src/index.js';

describe('productCategory', () => {
  it.each([
    ['WHITE METAL LANTERN', 'LANTERN'],
    ['WHITE HANGING HEART T-LIGHT HOLDER', 'HOLDER'],
    ['RED WOOLLY HOTTIE WHITE HEART.', 'HEART'],
    ['SET 7 BABUSHKA NESTING BOXES', 'BOXES'],
    ['POLYESTER FILLER PAD 45x45cm', 'PAD'],
    ['FOLK ART GREETING CARD,pack/12', 'PACK'],
    ['FRENCH BLUE METAL DOOR SIGN No', 'SIGN'],
    ["Dr. Jam's Arouzer Stress Ball", 'BALL'],
    ["CHILDREN'S", 'CHILDRENS'],
    ['WALL TIDY RETROSPOT ', 'RETROSPOT'],
    ['VOUCHER £40.00', 'VOUCHER'],
    ['', ''],
    ['12 34', ''],
  ])('maps %j to %j', (description, category) => {
    expect(productCategory(description)).toBe(category);
  });
});
