import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  DefinitionError,
  formatFieldPath,
  loadDefinitionSource,
  parseDefinitionSource,
} from '@pulse/rules';

const schema = z.strictObject({
  items: z.array(z.strictObject({ id: z.string(), size: z.number().positive() })),
});

function definitionError(source: unknown): DefinitionError {
  try {
    parseDefinitionSource(source, schema);
  } catch (err) {
    if (err instanceof DefinitionError) return err;
    throw err;
  }
  throw new Error('expected a DefinitionError');
}

describe('formatFieldPath', () => {
  it.each([
    [[], ''],
    [['offers'], 'offers'],
    [['offers', 2, 'audiences', 'include', 0], 'offers[2].audiences.include[0]'],
  ])('renders %j as %s', (path, expected) => {
    expect(formatFieldPath(path)).toBe(expected);
  });
});

describe('parseDefinitionSource', () => {
  it.each([
    ['a YAML syntax error', 'items: [a, b', '', 'invalid YAML at line 1'],
    ['a duplicate YAML key', 'items: []\nitems: []', '', 'invalid YAML at line 2'],
    ['a wrong root', '- 1', '', 'expected object'],
    ['a missing field', 'items:\n  - size: 1', 'items[0].id', 'is required'],
    [
      'an unknown field',
      { items: [{ id: 'a', size: 1, colour: 'red' }] },
      'items[0].colour',
      'not a known field',
    ],
    [
      'a bad value',
      {
        items: [
          { id: 'a', size: 1 },
          { id: 'b', size: 0 },
        ],
      },
      'items[1].size',
      '>0',
    ],
  ])('names the field for %s', (_case, source, field, reason) => {
    const err = definitionError(source);

    expect(err.field).toBe(field);
    expect(err.message).toContain(reason);
  });

  it('accepts YAML text and parsed objects alike', () => {
    const fromText = parseDefinitionSource('items:\n  - { id: a, size: 2 }', schema);
    const fromObject = parseDefinitionSource({ items: [{ id: 'a', size: 2 }] }, schema);

    expect(fromText).toEqual(fromObject);
  });

  it('passes non-string sources through loadDefinitionSource unchanged', () => {
    const source = { items: [] };

    expect(loadDefinitionSource(source)).toBe(source);
  });
});
