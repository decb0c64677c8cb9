import { renderSduiNode, type SduiNodeRenderers } from './generated/renderers';
import type { Action, Screen, SduiNode } from './generated/types';

// The reference renderer: a decoded tree as a plain outline, one node per line, indented two spaces per
// level: its type and id, its texts and accessibility labels as `field="value"`, its action on a line
// `-> type ...` under it (a sheet's content under that), then its children. SduiOutline in the Kotlin
// sources writes the same outline, and the tests require both to agree on every golden fixture and
// client profile (docs/sdui/rendering.md). It is also the smallest example of SduiNodeRenderers.

type Item = string | undefined;

class OutlineWriter {
  private readonly lines: string[] = [];
  private depth = 0;

  text(): string {
    return this.lines.map((line) => `${line}\n`).join('');
  }

  line(head: string, ...items: Item[]): void {
    this.lines.push(
      '  '.repeat(this.depth) + [head, ...items.filter((item) => item !== undefined)].join(' '),
    );
  }

  nested(write: () => void): void {
    this.depth++;
    try {
      write();
    } finally {
      this.depth--;
    }
  }

  node(node: SduiNode, items: Item[], action?: Action, children: readonly (SduiNode | undefined)[] = []) {
    this.line(`${node.type} #${node.id}`, ...items);
    this.nested(() => {
      if (action) this.action(action);
      for (const child of children) if (child) renderSduiNode(OUTLINE, child, this);
    });
  }

  private action(action: Action): void {
    const head = `-> ${action.type}`;
    switch (action.type) {
      case 'navigate':
        return this.line(head, item('deeplink', action.deeplink));
      case 'open-url':
        return this.line(head, item('url', action.url));
      case 'open-sheet':
        this.line(head, item('title', action.title));
        return this.nested(() => renderSduiNode(OUTLINE, action.content, this));
      case 'track':
        return this.line(head, item('event', action.event));
      case 'dismiss-widget':
      case 'refresh-screen':
        return this.line(head);
    }
  }
}

/** `field="value"` (JSON), or nothing when the field is absent. */
const item = (field: string, value: string | number | undefined): Item =>
  value === undefined ? undefined : `${field}=${JSON.stringify(value)}`;

const OUTLINE: SduiNodeRenderers<void, OutlineWriter> = {
  section: (node, out) =>
    out.node(
      node,
      [
        item('title', node.title),
        item('subtitle', node.subtitle),
        item('accessibilityLabel', node.accessibilityLabel),
      ],
      node.action,
      node.children,
    ),
  stack: (node, out) => out.node(node, [], undefined, node.children),
  row: (node, out) => out.node(node, [], undefined, node.children),
  column: (node, out) => out.node(node, [], undefined, node.children),
  grid: (node, out) => out.node(node, [], undefined, node.children),
  card: (node, out) =>
    out.node(node, [item('accessibilityLabel', node.accessibilityLabel)], node.action, node.children),
  carousel: (node, out) => out.node(node, [], undefined, node.children),
  text: (node, out) => out.node(node, [item('text', node.text)]),
  image: (node, out) =>
    out.node(node, [item('alt', node.alt), item('accessibilityLabel', node.accessibilityLabel)], node.action),
  button: (node, out) =>
    out.node(
      node,
      [item('label', node.label), item('accessibilityLabel', node.accessibilityLabel)],
      node.action,
    ),
  icon: (node, out) =>
    out.node(node, [item('name', node.name), item('accessibilityLabel', node.accessibilityLabel)]),
  badge: (node, out) => out.node(node, [item('label', node.label)]),
  banner: (node, out) =>
    out.node(
      node,
      [
        item('title', node.title),
        item('subtitle', node.subtitle),
        item('imageAlt', node.imageAlt),
        item('accessibilityLabel', node.accessibilityLabel),
      ],
      node.action,
      node.children,
    ),
  'list-item': (node, out) =>
    out.node(
      node,
      [
        item('title', node.title),
        item('subtitle', node.subtitle),
        item('accessibilityLabel', node.accessibilityLabel),
      ],
      node.action,
      [node.leading, node.trailing],
    ),
  divider: (node, out) => out.node(node, []),
  spacer: (node, out) => out.node(node, []),
  price: (node, out) =>
    out.node(node, [
      item('amountMinor', node.amountMinor),
      item('currency', node.currency),
      item('originalAmountMinor', node.originalAmountMinor),
    ]),
  countdown: (node, out) =>
    out.node(node, [
      item('endsAt', node.endsAt),
      item('label', node.label),
      item('expiredLabel', node.expiredLabel),
    ]),
  progress: (node, out) =>
    out.node(node, [item('value', node.value), item('max', node.max), item('label', node.label)]),
  rating: (node, out) => out.node(node, [item('value', node.value), item('reviewCount', node.reviewCount)]),
};

/** The outline of a decoded screen (see decodeScreen). */
export function outlineScreen(screen: Screen): string {
  const out = new OutlineWriter();
  out.line(`screen #${screen.id}`, item('title', screen.title));
  out.nested(() => screen.widgets.forEach((widget) => renderSduiNode(OUTLINE, widget, out)));
  return out.text();
}

/** The outline of one decoded node and what it holds. */
export function outlineNode(node: SduiNode): string {
  const out = new OutlineWriter();
  renderSduiNode(OUTLINE, node, out);
  return out.text();
}
