import { hash } from 'node:crypto';
import { sharedFieldAudience } from '@hwp/cache';
import { assignVariant, type VariantShare } from '@hwp/experiments';
import { SDUI_SCHEMA_VERSION, type Provenance } from '@hwp/sdui-schema';
import {
  activeEntry,
  audienceExperiment,
  audienceSegment,
  checkSlotContent,
  isSlotContentText,
  nextBoundary,
  type Audience,
} from '@hwp/widget-events';
import type { StoredWidgets } from './home.ports';

/** A version of a slot as it is shown: its JSON text, ready to be spliced into a screen. */
export interface ShownWidget {
  dataVersion: number;
  json: string;
}

/** One entry of a schedule (ADR 0030), its widget as text (null: a deletion). */
export interface LoadedEntry {
  dataVersion: number;
  json: string | null;
  activeFrom: number | null;
  activeUntil: number | null;
  acceptedAt: number;
}

/**
 * A stored widget as the in-process cache keeps it: its JSON text, ready to be spliced into a screen
 * without being parsed (null for a tombstone); for a schedule, its entries instead (`json` null).
 */
export interface LoadedWidget {
  dataVersion: number;
  json: string | null;
  schedule?: readonly LoadedEntry[];
}

/** A running experiment of a product's slot, as the in-process cache keeps it. */
export interface LoadedExperiment {
  productId: string;
  experimentId: string;
  dataVersion: number;
  /** `<productId>/<segmentId>` when the audience is a segment's members; undefined: everyone. */
  segment: string | undefined;
  split: VariantShare[];
  /** Each variant's widget text. */
  variants: ReadonlyMap<string, string>;
}

/** One audience's loaded widgets by product id, and about how much memory they hold. */
export interface AudienceWidgets {
  byProduct: ReadonlyMap<string, LoadedWidget>;
  bytes: number;
}

/** A user's own widgets, and the segments they are in (`<productId>/<segmentId>`). */
export interface UserWidgets extends AudienceWidgets {
  segments: readonly string[];
  /** Which segment deletions the segments were read after (ReadHomeScreen counts them). */
  segmentsEpoch: number;
}

/**
 * Everything shared by many users (ADR 0030): the generic widgets by product (`byProduct`), the segment
 * widgets by `<productId>/<segmentId>`, the running experiments by product, and the version of every
 * field, tombstones included (what an invalidation is compared with).
 */
export interface SharedWidgets extends AudienceWidgets {
  segmentWidgets: ReadonlyMap<string, LoadedWidget>;
  experiments: ReadonlyMap<string, readonly LoadedExperiment[]>;
  versions: ReadonlyMap<string, number>;
}

/** Which widget fills a layout slot, if any: what the ETag is computed over. */
export interface SlotFill {
  productId: string;
  audience: Provenance['audience'] | 'none';
  dataVersion: number;
  /** The provenance fields naming a segment or an experiment's variant, as JSON members ('' for none). */
  campaign: string;
}

export interface ComposedScreen {
  /** The screen's JSON, UTF-8. */
  bytes: Buffer;
  slots: SlotFill[];
  /** The first time (epoch ms) a window of a considered widget opens or closes; Infinity: none will. */
  validUntil: number;
}

export const HOME_SCREEN_ID = 'home';

const SCREEN_HEAD = `{"type":"screen","id":${JSON.stringify(HOME_SCREEN_ID)},"schemaVersion":${JSON.stringify(SDUI_SCHEMA_VERSION)},"widgets":[`;
const SCREEN_TAIL = ']}';

/**
 * Stored widgets as the in-process cache keeps them. Every stored widget was validated against the SDUI
 * schema by the ingester before it reached the database or the cache Redis (and the database keeps it as
 * jsonb), so its text is spliced as stored: the hot read path neither parses nor serialises it again
 * (ADR 0015). Only a widget carrying a provenance of its own is parsed, once, to drop it (provenance is
 * core-api's to set), and a schedule (ADR 0030), once, into its entries. A value that is not a JSON object
 * is left out (its slot falls back or is omitted).
 */
export function loadWidgets(stored: StoredWidgets): AudienceWidgets {
  const byProduct = new Map<string, LoadedWidget>();
  let bytes = 64; // per-entry overhead below; the text itself is one byte a character (Latin-1) or two
  for (const [productId, { dataVersion, widget }] of stored) {
    const loaded = loadWidget(dataVersion, widget);
    if (loaded === undefined || 'variants' in loaded) continue;
    byProduct.set(productId, loaded);
    bytes += sizeOf(loaded);
  }
  return { byProduct, bytes };
}

/** The shared widgets (the generic hash's fields, `widgetHashField`) as the in-process cache keeps them. */
export function loadSharedWidgets(stored: StoredWidgets): SharedWidgets {
  const byProduct = new Map<string, LoadedWidget>();
  const segmentWidgets = new Map<string, LoadedWidget>();
  const experiments = new Map<string, LoadedExperiment[]>();
  const versions = new Map<string, number>();
  let bytes = 64;
  for (const [field, { dataVersion, widget }] of stored) {
    const place = sharedFieldAudience(field);
    if (place === undefined) continue;
    versions.set(field, dataVersion);
    const loaded = loadWidget(dataVersion, widget, place);
    if (loaded === undefined) continue;
    bytes += sizeOf(loaded);
    if ('variants' in loaded) {
      experiments.set(place.productId, [...(experiments.get(place.productId) ?? []), loaded]);
    } else if (audienceSegment(place.audience) !== undefined) {
      segmentWidgets.set(field, loaded);
    } else if (audienceExperiment(place.audience) === undefined) {
      byProduct.set(place.productId, loaded);
    }
  }
  return { byProduct, segmentWidgets, experiments, versions, bytes };
}

const sizeOf = (loaded: LoadedWidget | LoadedExperiment): number => {
  if ('json' in loaded && loaded.schedule === undefined) return (loaded.json?.length ?? 0) + 96;
  if ('variants' in loaded)
    return 128 + [...loaded.variants.values()].reduce((sum, json) => sum + json.length + 96, 0);
  const entries = loaded.schedule ?? [loaded];
  return entries.reduce((sum, entry) => sum + (entry.json?.length ?? 0) + 96, 0);
};

/** A stored value as loaded: a widget, a schedule, or (in the shared hash) a running experiment. */
function loadWidget(
  dataVersion: number,
  text: string | null,
  place?: { productId: string; audience: Audience },
): LoadedWidget | LoadedExperiment | undefined {
  if (text === null) return { dataVersion, json: null };
  if (!isSlotContentText(text)) {
    const json = spliceable(text);
    return json === undefined ? undefined : { dataVersion, json };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const checked = checkSlotContent(parsed);
  if (!checked.ok) return undefined;
  const content = checked.content;
  if (content['~slot'] === 'schedule') {
    const schedule = content.entries.flatMap((entry): LoadedEntry[] => {
      const json = entry.widget === null ? null : spliceable(JSON.stringify(entry.widget));
      if (json === undefined) return [];
      const { activeFrom, activeUntil, acceptedAt } = entry;
      return [{ dataVersion: entry.dataVersion, json, activeFrom, activeUntil, acceptedAt }];
    });
    return { dataVersion, json: null, schedule };
  }
  if (place === undefined || audienceExperiment(place.audience) !== content.experimentId) return undefined;
  const variants = new Map<string, string>();
  for (const variant of content.variants) {
    const json = spliceable(JSON.stringify(variant.widget));
    if (json !== undefined) variants.set(variant.variantId, json);
  }
  return {
    productId: place.productId,
    experimentId: content.experimentId,
    dataVersion,
    segment:
      content.audience === 'everyone'
        ? undefined
        : `${place.productId}/${content.audience.slice('segment:'.length)}`,
    split: content.variants.map(({ variantId, basisPoints }) => ({ variantId, basisPoints })),
    variants,
  };
}

/** What `widget` shows at `now`: its text, or its schedule's active entry; undefined: nothing (or a deletion). */
export function shownAt(widget: LoadedWidget | undefined, now: number): ShownWidget | undefined {
  if (widget === undefined) return undefined;
  if (widget.schedule === undefined) return widget.json === null ? undefined : (widget as ShownWidget);
  const entry = activeEntry(widget.schedule, now);
  return entry?.json == null ? undefined : (entry as ShownWidget);
}

/** The variant of a running experiment a user sees. */
export interface ChosenVariant {
  experiment: LoadedExperiment;
  variantId: string;
}

/** The variants a user sees, by product, and a key naming them ('' for none): what a shared rendering depends on. */
export interface VariantChoices {
  byProduct: ReadonlyMap<string, ChosenVariant>;
  key: string;
}

export const NO_VARIANTS: VariantChoices = { byProduct: new Map(), key: '' };

/**
 * The running experiments `userId` takes part in, one per product: one whose audience is a segment the
 * user is in before one for everyone; the variant by the stable assignment (libs/experiments). Products
 * where `own` (the user's widgets) holds a widget always shown are left out: it fills the slot.
 */
export function chooseVariants(
  shared: SharedWidgets,
  userId: string,
  segments: readonly string[],
  own?: AudienceWidgets['byProduct'],
): VariantChoices {
  if (shared.experiments.size === 0) return NO_VARIANTS;
  const byProduct = new Map<string, ChosenVariant>();
  let key = '';
  for (const [productId, experiments] of shared.experiments) {
    // A widget of the user's own without a window is shown whatever the experiment: no assignment needed.
    const mine = own?.get(productId);
    if (mine !== undefined && mine.json !== null && mine.schedule === undefined) continue;
    let experiment: LoadedExperiment | undefined;
    for (const candidate of experiments) {
      if (candidate.segment === undefined) experiment ??= candidate;
      else if (segments.includes(candidate.segment)) {
        experiment = candidate;
        break;
      }
    }
    if (experiment === undefined) continue;
    const variantId = assignVariant(`${productId}/${experiment.experimentId}`, userId, experiment.split);
    byProduct.set(productId, { experiment, variantId });
    key += `${productId}#${experiment.experimentId}=${variantId};`;
  }
  return key === '' ? NO_VARIANTS : { byProduct, key };
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
  campaign: string,
): void {
  const body = json.slice(0, json.lastIndexOf('}')).trimEnd();
  parts.push(body);
  parts.push(
    `${body.endsWith('{') ? '' : ','}"provenance":{"productId":${JSON.stringify(productId)},"audience":"${audience}","dataVersion":"${dataVersion}"${campaign}}}`,
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

/** Who the screen is for: the user, their segments, the variants they see, and the time (epoch ms). */
export interface Viewer {
  userId: string;
  segments: readonly string[];
  variants: VariantChoices;
  now: number;
}

/**
 * The home screen: the layout's product slots in order, each filled by the first of (ADR 0030) the
 * user's own widget, the variant of a running experiment they take part in, the widget of a segment they
 * are in (the one accepted last), the generic widget; a slot with none of them is left out. Scheduled
 * widgets count only inside their window at `now`. Each widget root says where it came from
 * (provenance).
 */
export function composeHomeScreen(
  layout: readonly string[],
  shared: SharedWidgets,
  personalised: AudienceWidgets,
  viewer: Viewer,
): ComposedScreen {
  const parts = [SCREEN_HEAD];
  let validUntil = Infinity;
  const considered = (widget: LoadedWidget | undefined): ShownWidget | undefined => {
    if (widget?.schedule !== undefined) {
      const boundary = nextBoundary(widget.schedule, viewer.now);
      if (boundary !== undefined && boundary < validUntil) validUntil = boundary;
    }
    return shownAt(widget, viewer.now);
  };
  const slots = layout.map((productId): SlotFill => {
    const fill = slotFill(productId, shared, personalised, viewer, considered);
    if (fill === undefined) return { productId, audience: 'none', dataVersion: 0, campaign: '' };
    if (parts.length > 1) parts.push(',');
    pushWithProvenance(parts, fill.json, productId, fill.audience, fill.dataVersion, fill.campaign);
    return { productId, audience: fill.audience, dataVersion: fill.dataVersion, campaign: fill.campaign };
  });
  parts.push(SCREEN_TAIL);
  return { bytes: concatenated(parts), slots, validUntil };
}

type Fill = ShownWidget & Pick<SlotFill, 'audience' | 'campaign'>;

function slotFill(
  productId: string,
  shared: SharedWidgets,
  personalised: AudienceWidgets,
  viewer: Viewer,
  considered: (widget: LoadedWidget | undefined) => ShownWidget | undefined,
): Fill | undefined {
  const mine = considered(personalised.byProduct.get(productId));
  if (mine !== undefined)
    return { dataVersion: mine.dataVersion, json: mine.json, audience: 'personalised', campaign: '' };
  const chosen = viewer.variants.byProduct.get(productId);
  const variant = chosen?.experiment.variants.get(chosen.variantId);
  if (chosen !== undefined && variant !== undefined) {
    const { experiment, variantId } = chosen;
    const segment = experiment.segment === undefined ? '' : segmentMember(experiment.segment);
    return {
      dataVersion: experiment.dataVersion,
      json: variant,
      audience: 'generic',
      campaign: `${segment},"experimentId":"${experiment.experimentId}","variantId":"${variantId}"`,
    };
  }
  let segmentFill: Fill | undefined;
  let acceptedAt = -1;
  for (const segment of viewer.segments) {
    if (!segment.startsWith(productId) || segment[productId.length] !== '/') continue;
    const widget = shared.segmentWidgets.get(segment);
    const shown = considered(widget) as (ShownWidget & Partial<LoadedEntry>) | undefined;
    if (shown === undefined || (shown.acceptedAt ?? 0) <= acceptedAt) continue;
    acceptedAt = shown.acceptedAt ?? 0;
    segmentFill = {
      dataVersion: shown.dataVersion,
      json: shown.json,
      audience: 'generic',
      campaign: segmentMember(segment),
    };
  }
  if (segmentFill !== undefined) return segmentFill;
  const generic = considered(shared.byProduct.get(productId));
  return generic === undefined
    ? undefined
    : { dataVersion: generic.dataVersion, json: generic.json, audience: 'generic', campaign: '' };
}

const segmentMember = (segment: string) => `,"segmentId":"${segment.slice(segment.indexOf('/') + 1)}"`;

/**
 * Strong ETag of a rendering: the same layout, the same widget versions in the same slots and the same
 * client capabilities produce the same bytes, so the versions identify them without hashing the body.
 */
export function screenEtag(slots: readonly SlotFill[], clientSignature: string): string {
  // One-shot hash of one string: a third of the CPU of a Hash object fed slot by slot.
  let identity = `${SDUI_SCHEMA_VERSION}\n${clientSignature}`;
  for (const { productId, audience, dataVersion, campaign } of slots)
    identity += `\n${productId} ${audience} ${dataVersion}${campaign}`;
  return `"${hash('sha256', identity, 'base64url').slice(0, 32)}"`;
}
