import type { SegmentCall } from '@pulse/events';

import { UnknownLoaderFormatError } from './errors.js';
import { readUciOnlineRetail } from './uci-online-retail.js';

/** Options every loader accepts; a loader ignores those that do not apply. */
export interface LoaderOptions {
  /** IANA zone of naive local times in the file; each loader has a default. */
  zone?: string;
}

/** A file format Pulse can import: reads a file as Segment-spec calls. */
export interface Loader {
  /** One line for help output and logs. */
  readonly description: string;
  /** Streams the calls in file order; throws MalformedRowError on bad input. */
  read(path: string, options?: LoaderOptions): AsyncGenerator<SegmentCall>;
}

/** Every registered loader by format name; add new formats here. */
export const loaders = {
  'uci-online-retail': {
    description: 'UCI Online Retail CSV, one order call per invoice',
    read: readUciOnlineRetail,
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
