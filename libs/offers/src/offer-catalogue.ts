import type { JsonObject } from '@bufbuild/protobuf';
import type { BoolRule, DoubleRule } from '@pulse/rules';

/** A validated offer with its rules compiled and its schedule in epoch ms. */
export interface Offer {
  readonly id: string;
  readonly name: string;
  /** Distinct placements, in the order written. */
  readonly placements: readonly string[];
  /**
   * The offer group (a family of similar offers), shared by contact caps and
   * answer diversity; undefined when the offer stands alone.
   */
  readonly group: string | undefined;
  readonly eligibility: BoolRule | undefined;
  /** The profile must be in at least one of these (when any are listed). */
  readonly include: readonly string[];
  /** The profile must be in none of these. */
  readonly exclude: readonly string[];
  /** Greater than 0. */
  readonly priority: number;
  /** At least 0. */
  readonly value: number;
  readonly boost: DoubleRule | undefined;
  /** The schedule as written (ISO 8601 with offset), for explanations. */
  readonly start: string | undefined;
  readonly end: string | undefined;
  /** Schedule bounds: shown from startMs (inclusive) until endMs (exclusive). */
  readonly startMs: number;
  readonly endMs: number;
  /** Deep-frozen; returned as is with every decision. */
  readonly content: JsonObject;
}

const NO_OFFERS: readonly Offer[] = Object.freeze([]);

/**
 * A validated offer catalogue, built by `parseOfferCatalogue`, with the
 * offers of each placement listed ahead of time.
 */
export class OfferCatalogue {
  /** Every offer id, sorted. */
  readonly ids: readonly string[];

  /** Every placement some offer names, sorted. */
  readonly placements: readonly string[];

  private readonly byId: ReadonlyMap<string, Offer>;

  // Each list is sorted by offer id, which ranking relies on for stable ties.
  private readonly byPlacement: ReadonlyMap<string, readonly Offer[]>;

  // The audiences the offers of each placement include or exclude, sorted.
  private readonly audiencesByPlacement: ReadonlyMap<string, readonly string[]>;

  constructor(offers: readonly Offer[]) {
    const sorted = [...offers].sort((a, b) => compareIds(a.id, b.id));
    this.ids = Object.freeze(sorted.map((offer) => offer.id));
    this.byId = new Map(sorted.map((offer) => [offer.id, offer]));

    const byPlacement = new Map<string, Offer[]>();
    for (const offer of sorted) {
      for (const placement of offer.placements) {
        const list = byPlacement.get(placement) ?? [];
        list.push(offer);
        byPlacement.set(placement, list);
      }
    }
    this.byPlacement = byPlacement;
    this.placements = Object.freeze([...byPlacement.keys()].sort(compareIds));
    this.audiencesByPlacement = new Map(
      [...byPlacement].map(([placement, list]) => [placement, audiencesNamed(list)]),
    );
  }

  /** How many offers the catalogue holds. */
  get size(): number {
    return this.byId.size;
  }

  /** The offer with `id`, or undefined. */
  get(id: string): Offer | undefined {
    return this.byId.get(id);
  }

  /** The offers shown in `placement`, sorted by id; empty for an unknown placement. */
  forPlacement(placement: string): readonly Offer[] {
    return this.byPlacement.get(placement) ?? NO_OFFERS;
  }

  /**
   * The audiences the offers of `placement` include or exclude, sorted: the
   * only memberships screening that placement reads.
   */
  audiencesOf(placement: string): readonly string[] {
    return this.audiencesByPlacement.get(placement) ?? NO_AUDIENCES;
  }
}

const NO_AUDIENCES: readonly string[] = Object.freeze([]);

function audiencesNamed(offers: readonly Offer[]): readonly string[] {
  const ids = new Set(offers.flatMap((offer) => [...offer.include, ...offer.exclude]));
  return Object.freeze([...ids].sort(compareIds));
}

/** Code-unit order, the same everywhere (no locale). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
