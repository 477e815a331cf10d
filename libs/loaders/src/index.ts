/**
 * Loaders that turn files into Segment-spec calls, the input of
 * `normalizeEvent` in `@pulse/events`.
 */
export {
  InvalidMappingError,
  isMalformedRowError,
  MalformedRowError,
  UnknownLoaderFormatError,
} from './errors.js';
export { getLoader, isLoaderFormat, loaders } from './registry.js';
export type { Loader, LoaderFormat, LoaderOptions } from './registry.js';
export { FILE_ID_HEAD_BYTES, fileIdentity, recordMessageId } from './import-record.js';
export type { ImportRecord } from './import-record.js';
export { readUciOnlineRetail, UCI_DEFAULT_ZONE } from './uci-online-retail.js';
export type { UciOnlineRetailOptions } from './uci-online-retail.js';
export { readNdjson } from './ndjson.js';
export type { NdjsonOptions } from './ndjson.js';
export { readRees46, REES46_COLUMNS, REES46_EVENTS } from './rees46.js';
export type { Rees46Options } from './rees46.js';
export { readRetailRocket, RETAILROCKET_COLUMNS, RETAILROCKET_EVENTS } from './retailrocket.js';
export type { RetailRocketOptions } from './retailrocket.js';
export { loadColumnMapping, TIMESTAMP_FORMATS } from './column-mapping.js';
export type { ColumnMapping } from './column-mapping.js';
export { readMappedCsv } from './mapped-csv.js';
export type { MappedCsvOptions } from './mapped-csv.js';
export { productCategory } from './product-category.js';
