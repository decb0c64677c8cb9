import type { Audience } from '@hwp/widget-events';
import type { HomeLayout } from './home-layout';

/** The newest version of one widget the ingester has applied to the core database. */
export interface IngestedWidget {
  audience: Audience;
  dataVersion: number;
  /** A tombstone: the widget was deleted. */
  deleted: boolean;
  /** When product-api accepted that version, and when the ingester applied it. */
  acceptedAt: Date;
  ingestedAt: Date;
}

/** What the pipeline has delivered, for the studio's pipeline status. */
export interface IngestedWidgets {
  /** The product's ingested widgets among `audiences`; an audience never ingested is left out. */
  find(productId: string, audiences: readonly Audience[]): Promise<IngestedWidget[]>;
}

/** The home layout in the core database. */
export interface HomeLayoutStore {
  read(): Promise<HomeLayout>;
  /** Replaces every slot at once. */
  replace(productIds: readonly string[]): Promise<HomeLayout>;
}

/** Tells every core-api instance that the layout changed, so each drops its in-process copy. */
export interface LayoutChanges {
  announce(): Promise<void>;
}
