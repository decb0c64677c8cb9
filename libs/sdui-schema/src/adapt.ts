import { ACTION_SLOTS, NODE_SLOTS, type Slot } from './generated/catalogue';
import type { Action, Screen, SduiNode, Widget } from './generated/types';
import { SDUI_SCHEMA_VERSION } from './source/version';

export interface ClientCapabilities {
  /** The schema version the client was built with, e.g. "1.2.0". */
  schemaVersion: string;
  /** The node types the client can render. */
  supportedTypes: Iterable<string>;
}

export type AdaptResult = { ok: true; value: Screen } | { ok: false; reason: string };

type Tree = { [field: string]: unknown };

/**
 * The screen as one client can render it: each node of a type the client does not support is
 * replaced by its fallback (adapted in turn) or dropped. A node that loses required content, or a
 * list that falls below its minimum, is treated as unsupported too. The input is not modified.
 */
export function adaptForClient(screen: Screen, client: ClientCapabilities): AdaptResult {
  const major = /^(\d+)\.\d+\.\d+$/.exec(client.schemaVersion)?.[1];
  const ours = SDUI_SCHEMA_VERSION.split('.')[0];
  if (major !== ours) {
    return { ok: false, reason: `client schema version "${client.schemaVersion}" is not ${ours}.x` };
  }
  const supported = new Set(client.supportedTypes);
  const widgets = screen.widgets.flatMap((widget) => adaptNode(widget, supported) ?? []) as Widget[];
  return { ok: true, value: { ...screen, widgets } };
}

function adaptNode(node: SduiNode, supported: ReadonlySet<string>): SduiNode | undefined {
  const adapted = supported.has(node.type) ? adaptSlots(node, NODE_SLOTS[node.type], supported) : undefined;
  return (adapted as SduiNode | undefined) ?? (node.fallback && adaptNode(node.fallback, supported));
}

/** `value` with its nodes adapted (the same object if nothing changed); undefined if required content is lost. */
function adaptSlots(
  value: object,
  slots: readonly Slot[],
  supported: ReadonlySet<string>,
): object | undefined {
  let copy: Tree | undefined;
  for (const slot of slots) {
    const current = (value as Tree)[slot.field] as object | object[] | undefined;
    if (current === undefined) continue;
    const next = Array.isArray(current)
      ? adaptList(current, slot, supported)
      : adaptOne(current, slot, supported);
    if (next === current) continue;
    if (next === undefined && slot.required) return undefined;
    copy ??= { ...value };
    if (next === undefined) delete copy[slot.field];
    else copy[slot.field] = next;
  }
  return copy ?? value;
}

function adaptOne(value: object, slot: Slot, supported: ReadonlySet<string>): object | undefined {
  return slot.holds === 'action'
    ? // An action of a newer version has no known slots; the client's decoder deals with it.
      adaptSlots(value, ACTION_SLOTS[(value as Action).type] ?? [], supported)
    : adaptNode(value as SduiNode, supported);
}

function adaptList(items: object[], slot: Slot, supported: ReadonlySet<string>): object[] | undefined {
  const adapted = items.flatMap((item) => adaptOne(item, slot, supported) ?? []);
  if (adapted.length < slot.minItems) return undefined;
  return adapted.length === items.length && adapted.every((item, i) => item === items[i]) ? items : adapted;
}
