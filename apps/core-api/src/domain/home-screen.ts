import { createHash } from 'node:crypto';
import { SDUI_SCHEMA_VERSION, type Provenance, type Screen, type Widget } from '@hwp/sdui-schema';
import type { StoredWidgets } from './home.ports';

/** A widget parsed once when it enters the in-process cache; null for a tombstone. */
export interface ParsedWidget {
  dataVersion: number;
  widget: Widget | null;
}

/** One audience's parsed widgets by product id, and about how much memory they hold. */
export interface AudienceWidgets {
  byProduct: ReadonlyMap<string, ParsedWidget>;
  bytes: number;
}

/** Which widget fills a layout slot, if any: what the ETag is computed over. */
export interface SlotFill {
  productId: string;
  audience: Provenance['audience'] | 'none';
  dataVersion: number;
}

export interface ComposedScreen {
  screen: Screen;
  slots: SlotFill[];
}

export const HOME_SCREEN_ID = 'home';

/** Parses stored widgets; one whose JSON does not parse is left out (its slot falls back or is omitted). */
export function parseWidgets(stored: StoredWidgets): AudienceWidgets {
  const byProduct = new Map<string, ParsedWidget>();
  // Parsed JSON takes about twice its text in memory; the rest is per-entry overhead.
  let bytes = 64;
  for (const [productId, { dataVersion, widget }] of stored) {
    try {
      byProduct.set(productId, {
        dataVersion,
        widget: widget === null ? null : (JSON.parse(widget) as Widget),
      });
      bytes += 2 * (widget?.length ?? 0) + 96;
    } catch {
      continue;
    }
  }
  return { byProduct, bytes };
}

/**
 * The home screen: the layout's product slots in order, each with the user's personalised widget unless
 * there is none (or it is a tombstone), else the product's generic widget, else no slot at all. Each
 * widget root says where it came from (provenance).
 */
export function composeHomeScreen(
  layout: readonly string[],
  generic: AudienceWidgets['byProduct'],
  personalised: AudienceWidgets['byProduct'],
): ComposedScreen {
  const widgets: Widget[] = [];
  const slots = layout.map((productId): SlotFill => {
    const mine = personalised.get(productId);
    const fill: [Provenance['audience'], ParsedWidget] | undefined = mine?.widget
      ? ['personalised', mine]
      : generic.get(productId)?.widget
        ? ['generic', generic.get(productId)!]
        : undefined;
    if (fill === undefined) return { productId, audience: 'none', dataVersion: 0 };
    const [audience, { dataVersion, widget }] = fill;
    widgets.push({ ...widget!, provenance: { productId, audience, dataVersion: String(dataVersion) } });
    return { productId, audience, dataVersion };
  });
  return {
    screen: { type: 'screen', id: HOME_SCREEN_ID, schemaVersion: SDUI_SCHEMA_VERSION, widgets },
    slots,
  };
}

/**
 * Strong ETag of a rendering: the same layout, the same widget versions in the same slots and the same
 * client capabilities produce the same bytes, so the versions identify them without hashing the body.
 */
export function screenEtag(slots: readonly SlotFill[], clientSignature: string): string {
  const hash = createHash('sha256').update(SDUI_SCHEMA_VERSION).update('\n').update(clientSignature);
  for (const { productId, audience, dataVersion } of slots)
    hash.update(`\n${productId} ${audience} ${dataVersion}`);
  return `"${hash.digest('base64url').slice(0, 32)}"`;
}
