import { describe, expect, it } from 'vitest';

import {
  getLoader,
  isLoaderFormat,
  loaders,
  readUciOnlineRetail,
  UnknownLoaderFormatError,
} from '../src/index.js';

describe('getLoader', () => {
  it('returns the UCI Online Retail loader', () => {
    const loader = getLoader('uci-online-retail');
    expect(loader.read).toBe(readUciOnlineRetail);
    expect(loader.description).toMatch(/UCI/);
  });

  it.each(['csv', 'UCI-ONLINE-RETAIL', '', 'toString'])('rejects unknown format %j', (format) => {
    expect(isLoaderFormat(format)).toBe(false);
    expect(() => getLoader(format)).toThrow(expect.objectContaining({ format }));
    expect(() => getLoader(format)).toThrow(UnknownLoaderFormatError);
  });

  it('lists every format in loaders', () => {
    expect(Object.keys(loaders)).toEqual(['uci-online-retail']);
  });
});
