import { readCatalog, type Catalog } from './catalog';
import { fingerprintOf } from './fingerprint';

/**
 * The catalogue, parsed once and kept until a file in the labs folder changes. Parsing and
 * validating every lab takes the server's one thread for a while; a class opening the app at
 * once would otherwise queue every other call behind 300 parses. Which files exist, their
 * sizes and modification times are checked on each read (cheap stats, no parsing): any edit,
 * new lab or new guide is seen by the next read. Reads that overlap share one parse.
 */
export class CatalogCache {
  private cached: { fingerprint: string; catalog: Promise<Catalog> } | undefined;

  constructor(readonly dir: string) {}

  async read(): Promise<Catalog> {
    const fingerprint = await fingerprintOf(this.dir);
    if (this.cached?.fingerprint !== fingerprint) {
      const catalog = readCatalog(this.dir);
      const entry = { fingerprint, catalog };
      this.cached = entry;
      // A failed read is not kept: the next one tries again.
      catalog.catch(() => {
        if (this.cached === entry) this.cached = undefined;
      });
    }
    return this.cached.catalog;
  }
}
