import { describe, expect, it } from 'vitest';

import {
  getLoader,
  isLoaderFormat,
  loaders,
  readUciOnlineRetail,
  UnknownLoaderFormatError,
} from '../src/index.js';
import { collect, tempCsvDir, UCI_HEADER } from './fixtures.js';

describe('getLoader', () => {
  it('returns the UCI Online Retail loader, its calls as records', async () => {
    const loader = getLoader('uci-online-retail');
    expect(loader.description).toMatch(/UCI/);
    const csv = await tempCsvDir();
    try {
      const row = '536365,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom';
      const file = await csv.write([UCI_HEADER, row]);
      const records = await collect(loader.read(file));
      expect(records).toEqual((await collect(readUciOnlineRetail(file))).map((call) => ({ call })));
    } finally {
      await csv.cleanup();
    }
  });

  it.each(['csv', 'UCI-ONLINE-RETAIL', '', 'toString'])('rejects unknown format %j', (format) => {
    expect(isLoaderFormat(format)).toBe(false);
    expect(() => getLoader(format)).toThrow(expect.objectContaining({ format }));
    expect(() => getLoader(format)).toThrow(UnknownLoaderFormatError);
  });

  it('lists every format in loaders', () => {
    expect(Object.keys(loaders)).toEqual([
      'uci-online-retail',
      'ndjson',
      'rees46',
      'retailrocket',
      'mapping',
    ]);
  });
});
