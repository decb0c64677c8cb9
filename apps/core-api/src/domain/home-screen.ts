import { hash } from 'node:crypto';
import { SDUI_SCHEMA_VERSION, type Provenance } from '@hwp/sdui-schema';
import type { StoredWidgets } from './home.ports';

/**
 * A stored widget as the in-process cache keeps it: its JSON text, ready to be spliced into a screen
 * without being parsed (null for a tombstone).
 */
export interface LoadedWidget {
  dataVersion: number;
  json: string | null;
}

/** One audience's loaded widgets by product id, and about how much memory they hold. */
export interface AudienceWidgets {
  byProduct: ReadonlyMap<string, LoadedWidget>;
  bytes: number;
}

/** Which widget fills a layout slot, if any: what the ETag is computed over. */
export interface SlotFill {
  productId: string;
  audience: Provenance['audience'] | 'none';
  dataVersion: number;
}

export interface ComposedScreen {
  /** The screen's JSON, UTF-8. */
  bytes: Buffer;
  slots: SlotFill[];
}

export const HOME_SCREEN_ID = 'home';

const SCREEN_HEAD = `{"type":"screen","id":${JSON.stringify(HOME_SCREEN_ID)},"schemaVersion":${JSON.stringify(SDUI_SCHEMA_VERSION)},"widgets":[`;
const SCREEN_TAIL = ']}';

/**
 * Stored widgets as the in-process cache keeps them. Every stored widget was validated against the SDUI
 * schema by the ingester before it reached the database or the cache Redis (and the database keeps it as
 * jsonb), so its text is spliced as stored: the hot read path neither parses nor serialises it again
 * (ADR 0015). Only a widget carrying a provenance of its own is parsed, once, to drop it (provenance is
 * core-api's to set). A value that is not a JSON object is left out (its slot falls back or is omitted).
 */
export function loadWidgets(stored: StoredWidgets): AudienceWidgets {
  const byProduct = new Map<string, LoadedWidget>();
  let bytes = 64; // per-entry overhead below; the text itself is one byte a character (Latin-1) or two
  for (const [productId, { dataVersion, widget }] of stored) {
    const json = widget === null ? null : spliceable(widget);
    if (json === undefined) continue;
    byProduct.set(productId, { dataVersion, json });
    bytes += (json?.length ?? 0) + 96;
  }
  return { byProduct, bytes };
}

function spliceable(text: string): string | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) return undefined;
  if (!text.includes('"provenance"')) return text;
  try {
    const widget: unknown = JSON.parse(text);
    if (typeof widget !== 'object' || widget === null || Array.isArray(widget)) return undefined;
    delete (widget as { provenance?: unknown }).provenance;
    return JSON.stringify(widget);
  } catch {
    return undefined;
  }
}

/**
 * Appends to `parts` the widget's text with `provenance` as its last field: the bytes of
 * `{ ...widget, provenance }`, as the widget's text up to its closing brace and the provenance after it.
 */
function pushWithProvenance(
  parts: string[],
  json: string,
  productId: string,
  audience: string,
  dataVersion: number,
): void {
  const body = json.slice(0, json.lastIndexOf('}')).trimEnd();
  parts.push(body);
  parts.push(
    `${body.endsWith('{') ? '' : ','}"provenance":{"productId":${JSON.stringify(productId)},"audience":"${audience}","dataVersion":"${dataVersion}"}}`,
  );
}

/**
 * The parts written one after the other into one Buffer of its own: neither a joined copy of the screen's
 * text nor a slice of Node's shared pool, which an in-process cache entry would keep alive whole.
 */
function concatenated(parts: readonly string[]): Buffer {
  let length = 0;
  for (const part of parts) length += Buffer.byteLength(part);
  const bytes = Buffer.allocUnsafeSlow(length);
  let offset = 0;
  for (const part of parts) offset += bytes.write(part, offset);
  return bytes;
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
  const parts = [SCREEN_HEAD];
  const slots = layout.map((productId): SlotFill => {
    const mine = personalised.get(productId);
    const theirs = generic.get(productId);
    const [audience, fill] =
      mine?.json != null ? (['personalised', mine] as const) : (['generic', theirs] as const);
    if (fill?.json == null) return { productId, audience: 'none', dataVersion: 0 };
    if (parts.length > 1) parts.push(',');
    pushWithProvenance(parts, fill.json, productId, audience, fill.dataVersion);
    return { productId, audience, dataVersion: fill.dataVersion };
  });
  parts.push(SCREEN_TAIL);
  return { bytes: concatenated(parts), slots };
}

/**
 * Strong ETag of a rendering: the same layout, the same widget versions in the same slots and the same
 * client capabilities produce the same bytes, so the versions identify them without hashing the body.
 */
export function screenEtag(slots: readonly SlotFill[], clientSignature: string): string {
  // One-shot hash of one string: a third of the CPU of a Hash object fed slot by slot.
  let identity = `${SDUI_SCHEMA_VERSION}\n${clientSignature}`;
  for (const { productId, audience, dataVersion } of slots)
    identity += `\n${productId} ${audience} ${dataVersion}`;
  return `"${hash('sha256', identity, 'base64url').slice(0, 32)}"`;
}
