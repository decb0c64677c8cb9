import {
  ACTION_SLOTS,
  ACTION_TOKENS,
  NODE_SLOTS,
  NODE_TOKENS,
  SDUI_WIDGET_TYPES,
  type Slot,
  type TokenField,
} from './generated/catalogue';
import type { Action, Screen, SduiNode, Widget } from './generated/types';
import { SDUI_SCHEMA_VERSION } from './source/version';

// The tolerant decoder of a client: reads what a server of this major version sends, including parts
// written for a newer minor version (docs/sdui/README.md, "Evolution"; fixtures/forward-compat). The
// rules come from the generated tables (where nodes and actions nest, which fields hold tokens), so
// they follow the schema like the Kotlin decoder's: a node this version cannot render (unknown type,
// unknown action where one is required, unknown token in a required field, a child list that falls
// below its minimum) is replaced by its fallback, decoded in turn, or dropped; an unknown action or token
// in an optional field is left out and unknown members are ignored. It trusts the server for the rest
// (core-api sends only validated widgets): use validateScreen to check untrusted documents.

type Raw = { [field: string]: unknown };
type Holds = Exclude<Slot['holds'], 'action'>;

/** Far above the schema's maxDepth (12); only guards the stack against hostile input. */
const MAX_DEPTH = 64;
const WIDGET_TYPES: ReadonlySet<string> = new Set(SDUI_WIDGET_TYPES);
const MAJOR = SDUI_SCHEMA_VERSION.split('.')[0];

const isObject = (value: unknown): value is Raw =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isNodeType = (type: unknown): type is SduiNode['type'] =>
  typeof type === 'string' && Object.hasOwn(NODE_SLOTS, type);
const isActionType = (type: unknown): type is Action['type'] =>
  typeof type === 'string' && Object.hasOwn(ACTION_SLOTS, type);

export type DecodeResult = { ok: true; screen: Screen } | { ok: false; reason: string };

/** A screen as this version can render it; not ok when it is no screen or of another major version. */
export function decodeScreen(raw: unknown): DecodeResult {
  const widgets = isObject(raw) ? raw['widgets'] : undefined;
  if (!isObject(raw) || raw['type'] !== 'screen' || !Array.isArray(widgets)) {
    return { ok: false, reason: 'not a screen' };
  }
  const version = typeof raw['schemaVersion'] === 'string' ? raw['schemaVersion'] : '';
  if (version.split('.')[0] !== MAJOR) {
    return { ok: false, reason: `schema version "${version}" is not ${MAJOR}.x` };
  }
  return {
    ok: true,
    screen: {
      type: 'screen',
      id: typeof raw['id'] === 'string' ? raw['id'] : 'home',
      schemaVersion: version,
      ...(typeof raw['title'] === 'string' ? { title: raw['title'] } : {}),
      widgets: widgets.flatMap((widget) => decodeWidget(widget) ?? []),
    },
  };
}

/** A widget root, or undefined when neither it nor its fallback can be rendered. */
export const decodeWidget = (raw: unknown): Widget | undefined =>
  decodeNode(raw, 'widget', 0) as Widget | undefined;

/** Any node, or undefined when neither it nor its fallback can be rendered. */
export const decodeSduiNode = (raw: unknown): SduiNode | undefined => decodeNode(raw, 'node', 0);

function decodeNode(raw: unknown, holds: Holds, depth: number): SduiNode | undefined {
  if (!isObject(raw) || depth > MAX_DEPTH) return undefined;
  const type = raw['type'];
  const own =
    isNodeType(type) && (holds === 'node' || WIDGET_TYPES.has(type)) && typeof raw['id'] === 'string'
      ? decodeMembers(raw, NODE_SLOTS[type], NODE_TOKENS[type], depth)
      : undefined;
  // A node that cannot be rendered is replaced by its fallback, read where the node stood.
  return (own as SduiNode | undefined) ?? decodeNode(raw['fallback'], holds, depth + 1);
}

function decodeAction(raw: unknown, depth: number): Action | undefined {
  if (!isObject(raw) || !isActionType(raw['type'])) return undefined;
  return decodeMembers(raw, ACTION_SLOTS[raw['type']], ACTION_TOKENS[raw['type']], depth) as
    | Action
    | undefined;
}

/** A copy of `raw` with its tokens checked and its nodes and actions decoded; undefined if it is unsupported. */
function decodeMembers(
  raw: Raw,
  slots: readonly Slot[],
  tokens: readonly TokenField[],
  depth: number,
): Raw | undefined {
  // The fallback is not needed once the node itself decodes.
  const { fallback: _fallback, ...copy } = raw;
  for (const { field, required, values } of tokens) {
    const value = copy[field];
    if (value === undefined && !required) continue;
    if (typeof value === 'string' && values.includes(value)) continue;
    if (required) return undefined;
    delete copy[field];
  }
  for (const slot of slots) {
    const value = copy[slot.field];
    if (slot.field === 'fallback' || (value === undefined && !slot.required)) continue;
    const decoded = slot.many ? decodeList(value, slot, depth) : decodeOne(value, slot, depth);
    if (decoded !== undefined) copy[slot.field] = decoded;
    else if (slot.required) return undefined;
    else delete copy[slot.field];
  }
  return copy;
}

function decodeOne(value: unknown, slot: Slot, depth: number): SduiNode | Action | undefined {
  return slot.holds === 'action' ? decodeAction(value, depth) : decodeNode(value, slot.holds, depth + 1);
}

function decodeList(value: unknown, slot: Slot, depth: number): (SduiNode | Action)[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const items = value.flatMap((item) => decodeOne(item, slot, depth) ?? []);
  return items.length < slot.minItems ? undefined : items;
}
