import type { PulseStore } from '@pulse/store';
import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

/**
 * Exports the LMDB environment's size at each scrape: `pulse_lmdb_size_bytes`
 * (data.mdb on disk), `pulse_lmdb_used_bytes` (pages in use) and
 * `pulse_lmdb_map_bytes` (the memory map, which lmdb-js grows by itself).
 */
export function registerStoreSize(registry: Registry, store: PulseStore): void {
  const gauge = (name: string, help: string, read: (s: ReturnType<PulseStore['size']>) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read(store.size()));
      },
    });
  gauge('pulse_lmdb_size_bytes', 'Size of the LMDB data file on disk', (s) => s.fileBytes);
  gauge('pulse_lmdb_used_bytes', 'LMDB pages in use times the page size', (s) => s.usedBytes);
  gauge(
    'pulse_lmdb_map_bytes',
    'Current LMDB memory map size; grows on its own',
    (s) => s.mapBytes,
  );
}
