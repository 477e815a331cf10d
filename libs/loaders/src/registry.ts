import { UnknownLoaderFormatError } from './errors.js';
import type { ImportRecord } from './import-record.js';
import { readMappedCsv } from './mapped-csv.js';
import { readNdjson } from './ndjson.js';
import { readRees46 } from './rees46.js';
import { readRetailRocket } from './retailrocket.js';
import { readUciOnlineRetail } from './uci-online-retail.js';

/** Options every loader accepts; a loader ignores those that do not apply. */
export interface LoaderOptions {
  /** IANA zone of naive local times in the file; each loader has a default. */
  zone?: string;
  /** The YAML column-mapping file; required by the `mapping` format. */
  mapping?: string;
  /** Told the size of each chunk read from the file, for progress. */
  onBytes?: (bytes: number) => void;
}

/** A file format Pulse can import: reads a file as records of Segment calls. */
export interface Loader {
  /** One line for help output and logs. */
  readonly description: string;
  /**
   * Streams the records in file order, the same ones on every run (resuming
   * skips by count); throws MalformedRowError on a bad row.
   */
  read(path: string, options?: LoaderOptions): AsyncGenerator<ImportRecord>;
}

/** Every registered loader by format name; add new formats here. */
export const loaders = {
  'uci-online-retail': {
    description: 'UCI Online Retail CSV, one order call per invoice',
    read: (path, options) => asRecords(readUciOnlineRetail(path, options)),
  },
  ndjson: {
    description: 'one Segment-spec call (JSON object) a line',
    read: (path, options) => readNdjson(path, { onBytes: options?.onBytes }),
  },
  rees46: {
    description: 'REES46 e-commerce events CSV, one Product/Order event a row',
    read: (path, options) => readRees46(path, { onBytes: options?.onBytes }),
  },
  retailrocket: {
    description: 'RetailRocket events CSV (epoch ms), one Product/Order event a row',
    read: (path, options) => readRetailRocket(path, { onBytes: options?.onBytes }),
  },
  mapping: {
    description: 'any CSV, described by a YAML column mapping (--mapping)',
    read: (path, options) => {
      if (!options?.mapping) throw new TypeError("'mapping' is required for the mapping format");
      return readMappedCsv(path, { mapping: options.mapping, onBytes: options.onBytes });
    },
  },
} as const satisfies Record<string, Loader>;

/** A registered format name, e.g. `'uci-online-retail'`. */
export type LoaderFormat = keyof typeof loaders;

/** Whether `format` names a registered loader. */
export function isLoaderFormat(format: string): format is LoaderFormat {
  return Object.hasOwn(loaders, format);
}

/** The loader for `format`; throws {@link UnknownLoaderFormatError} if none. */
export function getLoader(format: string): Loader {
  if (!isLoaderFormat(format)) {
    throw new UnknownLoaderFormatError(format, Object.keys(loaders));
  }
  return loaders[format];
}

async function* asRecords(calls: AsyncIterable<unknown>): AsyncGenerator<ImportRecord> {
  for await (const call of calls) yield { call };
}
