/**
 * The form fields the editor offers beside the JSON: the everyday texts and images of common nodes,
 * anywhere in the widget, each addressed by its JSON pointer so a form edit lands in the JSON.
 */
export interface WidgetField {
  pointer: string;
  /** The node's id and the field, e.g. "hero · title". */
  label: string;
  value: string;
}

/** Editable string members per node type (the rest stays in the JSON editor). */
const FIELDS: Readonly<Record<string, readonly string[]>> = {
  text: ['text'],
  section: ['title', 'subtitle'],
  banner: ['title', 'subtitle', 'imageUrl', 'imageAlt'],
  image: ['url', 'alt'],
  button: ['label', 'accessibilityLabel'],
  badge: ['label'],
  'list-item': ['title', 'subtitle'],
};

/** Plenty for a widget's headline texts; a form longer than this is harder to use than the JSON. */
const MAX_FIELDS = 40;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function widgetFields(widget: unknown): WidgetField[] {
  const fields: WidgetField[] = [];
  const visit = (node: unknown, pointer: string) => {
    if (!isObject(node) || fields.length >= MAX_FIELDS) return;
    for (const name of FIELDS[String(node['type'])] ?? []) {
      if (typeof node[name] === 'string')
        fields.push({
          pointer: `${pointer}/${name}`,
          label: `${String(node['id'])} · ${name}`,
          value: node[name],
        });
    }
    if (Array.isArray(node['children']))
      node['children'].forEach((child, i) => visit(child, `${pointer}/children/${i}`));
    for (const slot of ['leading', 'trailing']) visit(node[slot], `${pointer}/${slot}`);
  };
  visit(widget, '');
  return fields.slice(0, MAX_FIELDS);
}

/** `widget` with the string at `pointer` (one of widgetFields' pointers) replaced by `value`. */
export function withField(widget: unknown, pointer: string, value: string): unknown {
  const copy = structuredClone(widget) as Json;
  const segments = pointer.split('/').slice(1);
  const last = segments.pop();
  if (last === undefined) return copy; // the whole widget is no string field
  let node: Json = copy;
  for (const segment of segments) node = node[segment] as Json;
  node[last] = value;
  return copy;
}
