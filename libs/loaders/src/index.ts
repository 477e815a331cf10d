/**
 * Loaders that turn files into Segment-spec calls, the input of
 * `normalizeEvent` in `@pulse/events`.
 */
export { isMalformedRowError, MalformedRowError, UnknownLoaderFormatError } from './errors.js';
export { getLoader, isLoaderFormat, loaders } from './registry.js';
export type { Loader, LoaderFormat, LoaderOptions } from './registry.js';
export { readUciOnlineRetail, UCI_DEFAULT_ZONE } from './uci-online-retail.js';
export type { UciOnlineRetailOptions } from './uci-online-retail.js';
export { productCategory } from './product-category.js';
