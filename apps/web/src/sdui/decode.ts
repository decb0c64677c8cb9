import {
  SDUI_ACTION_TYPES,
  SDUI_NODE_TYPES,
  SDUI_SCHEMA_VERSION,
  SDUI_WIDGET_TYPES,
  type Action,
  type Screen,
  type SduiNode,
  type Widget,
} from '@hwp/sdui-schema';
import { ICON_PATHS } from './icons';
import { ASPECT_RATIO, isToken, SPACER } from './theme';

/**
 * Tolerant decoding of a screen from core-api, as every client of the schema does it (docs/sdui/README.md,
 * "Evolution"; libs/sdui-schema/fixtures/forward-compat): a node this build cannot render (unknown type,
 * unknown action where one is required, unknown token in a required field, or a child list that falls
 * below its minimum) is replaced by its fallback, decoded in turn, or dropped; unknown actions on optional
 * fields are dropped and unknown members ignored. core-api already swaps nodes for the types we announce,
 * so this is the safety net for what slips through. Runs on the server only.
 */

type Raw = Record<string, unknown>;

interface Shape {
  /** A `children` list, and how many must remain. */
  children?: { min: number };
  /** Fields holding one optional node. */
  nodes?: readonly string[];
  action?: 'optional' | 'required';
  /** Required token fields, and the tokens this build knows for each. */
  tokens?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** Where each node type holds nodes and actions (total over the union: a new type must be added here). */
const SHAPES: { readonly [T in SduiNode['type']]: Shape } = {
  section: { children: { min: 1 }, action: 'optional' },
  stack: { children: { min: 1 } },
  row: { children: { min: 1 } },
  column: { children: { min: 1 } },
  grid: { children: { min: 1 } },
  card: { children: { min: 1 }, action: 'optional' },
  carousel: { children: { min: 1 } },
  text: {},
  image: { action: 'optional', tokens: { aspectRatio: ASPECT_RATIO } },
  button: { action: 'required' },
  icon: { tokens: { name: ICON_PATHS } },
  badge: {},
  banner: { children: { min: 0 }, action: 'optional' },
  'list-item': { nodes: ['leading', 'trailing'], action: 'optional' },
  divider: {},
  spacer: { tokens: { size: SPACER } },
  price: {},
  countdown: {},
  progress: {},
  rating: {},
};

const NODE_TYPES: ReadonlySet<string> = new Set(SDUI_NODE_TYPES);
const WIDGET_TYPES: ReadonlySet<string> = new Set(SDUI_WIDGET_TYPES);
const ACTION_TYPES: ReadonlySet<string> = new Set(SDUI_ACTION_TYPES);
/** Far above the schema's maxDepth (12); only guards the stack against hostile input. */
const MAX_DEPTH = 64;

const isObject = (value: unknown): value is Raw =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export type DecodeResult = { ok: true; screen: Screen } | { ok: false; reason: string };

export function decodeScreen(raw: unknown): DecodeResult {
  if (!isObject(raw) || raw['type'] !== 'screen' || !Array.isArray(raw['widgets'])) {
    return { ok: false, reason: 'not a screen' };
  }
  const version = typeof raw['schemaVersion'] === 'string' ? raw['schemaVersion'] : '';
  if (version.split('.')[0] !== SDUI_SCHEMA_VERSION.split('.')[0]) {
    return { ok: false, reason: `schema version "${version}" is not ${SDUI_SCHEMA_VERSION.split('.')[0]}.x` };
  }
  const widgets = raw['widgets'].flatMap((widget) => decodeWidget(widget) ?? []);
  return {
    ok: true,
    screen: {
      type: 'screen',
      id: typeof raw['id'] === 'string' ? raw['id'] : 'home',
      schemaVersion: version,
      ...(typeof raw['title'] === 'string' ? { title: raw['title'] } : {}),
      widgets,
    },
  };
}

/** A widget root, or undefined when neither it nor its fallback can be rendered. */
export function decodeWidget(raw: unknown): Widget | undefined {
  const node = decodeNode(raw, 0);
  if (node === undefined) return undefined;
  if (WIDGET_TYPES.has(node.type)) return node as Widget;
  return undefined;
}

export function decodeNode(raw: unknown, depth = 0): SduiNode | undefined {
  if (!isObject(raw) || depth > MAX_DEPTH) return undefined;
  const own =
    typeof raw['type'] === 'string' && NODE_TYPES.has(raw['type']) && typeof raw['id'] === 'string'
      ? decodeKnown(raw, SHAPES[raw['type'] as SduiNode['type']], depth)
      : undefined;
  return own ?? decodeNode(raw['fallback'], depth + 1);
}

function decodeKnown(raw: Raw, shape: Shape, depth: number): SduiNode | undefined {
  // The fallback is not needed once the node itself decodes.
  const { fallback: _fallback, ...node } = raw;
  for (const [field, tokens] of Object.entries(shape.tokens ?? {})) {
    if (!isToken(tokens, node[field])) return undefined;
  }
  if (shape.children) {
    const list = Array.isArray(node['children']) ? node['children'] : [];
    const children = list.flatMap((child) => decodeNode(child, depth + 1) ?? []);
    if (children.length < shape.children.min) return undefined;
    if (node['children'] !== undefined) node['children'] = children;
  }
  for (const field of shape.nodes ?? []) {
    if (node[field] === undefined) continue;
    const child = decodeNode(node[field], depth + 1);
    if (child === undefined) delete node[field];
    else node[field] = child;
  }
  if (shape.action) {
    const action = node['action'] === undefined ? undefined : decodeAction(node['action'], depth);
    if (action === undefined) {
      if (shape.action === 'required') return undefined;
      delete node['action'];
    } else {
      node['action'] = action;
    }
  } else {
    delete node['action'];
  }
  return node as unknown as SduiNode;
}

function decodeAction(raw: unknown, depth: number): Action | undefined {
  if (!isObject(raw) || typeof raw['type'] !== 'string' || !ACTION_TYPES.has(raw['type'])) return undefined;
  if (raw['type'] !== 'open-sheet') return raw as unknown as Action;
  const content = decodeNode(raw['content'], depth + 1);
  return content === undefined ? undefined : ({ ...raw, content } as unknown as Action);
}
