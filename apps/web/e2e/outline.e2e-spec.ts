import { decodeScreen, outlineScreen } from '@hwp/sdui-schema';
import { expect, test } from '@playwright/test';
import { forwardCompatFixtures, validFixtures } from './support';

// The web's real renderer against the reference outline (docs/sdui/rendering.md), which the outline spec
// of libs/sdui-schema proves equal to Android's: every golden fixture in the /dev/fixtures gallery must
// show the outline's nodes in its order (each element with its data-sdui-id), their texts, and their
// actions with the accessibility labels. Sheet contents open on demand and are left out.

interface OutlineNode {
  type: string;
  id: string;
  items: Record<string, string | number>;
  action?: string;
}

/** The nodes of an outline in order, without the contents of sheets. */
function outlineNodes(outline: string): OutlineNode[] {
  const nodes: OutlineNode[] = [];
  let sheetIndent: number | undefined;
  for (const line of outline.split('\n').filter(Boolean)) {
    const indent = line.length - line.trimStart().length;
    if (sheetIndent !== undefined && indent > sheetIndent) continue;
    sheetIndent = undefined;
    const action = /^\s*-> (\S+)/.exec(line)?.[1];
    if (action !== undefined) {
      const owner = nodes.at(-1);
      if (owner) owner.action = action;
      if (action === 'open-sheet') sheetIndent = indent;
      continue;
    }
    const [, type, id, rest = ''] = /^\s*(\S+) #(\S+)(.*)$/.exec(line) ?? [];
    if (type === undefined || type === 'screen' || id === undefined) continue;
    const items = Object.fromEntries(
      [...rest.matchAll(/ (\w+)=("(?:[^"\\]|\\.)*"|[^ ]+)/g)].map(([, key, value]) => [
        key,
        JSON.parse(value!),
      ]),
    );
    nodes.push({ type, id, items });
  }
  return nodes;
}

const SHOWN_TEXTS = ['text', 'title', 'subtitle', 'label'];

/** What the web shows of a countdown depends on the clock: after its end, its expiredLabel or nothing. */
const shownNow = ({ type, items }: OutlineNode) =>
  type !== 'countdown' ||
  Date.parse(String(items['endsAt'])) > Date.now() ||
  items['expiredLabel'] !== undefined;

const fixtures = [
  ...validFixtures().map(({ name, document }) => ({ name, path: `/dev/fixtures/${name}`, document })),
  ...forwardCompatFixtures().map(({ name, document }) => ({
    name,
    path: `/dev/fixtures/${name}?set=forward-compat`,
    document: document as Record<string, unknown>,
  })),
];

for (const { name, path, document } of fixtures) {
  test(`the rendered ${name} matches its reference outline`, async ({ page }) => {
    const screen =
      document['type'] === 'screen'
        ? document
        : { type: 'screen', id: name, schemaVersion: '1.0.0', title: name, widgets: [document] };
    const decoded = decodeScreen(screen);
    if (!decoded.ok) throw new Error(decoded.reason);
    const expected = outlineNodes(outlineScreen(decoded.screen)).filter(shownNow);

    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    // The page streams in, and its parts need not arrive in order (CI once read it with the actions
    // section still missing while later sections were there): read the DOM once every node is attached.
    const ids = expected.map(({ id }) => id);
    await expect
      .poll(() =>
        page
          .locator('main')
          .evaluate(
            (main, wanted) =>
              wanted.filter((id) => main.querySelector(`[data-sdui-id="${CSS.escape(id)}"]`) === null),
            ids,
          ),
      )
      .toEqual([]);
    const rendered = await page.locator('main').evaluate((main) => {
      const seen = new Map<string, { text: string; alt: string | null; action?: string; label?: string }>();
      for (const element of main.querySelectorAll<HTMLElement>('[data-sdui-id]')) {
        const id = element.dataset['sduiId']!;
        if (seen.has(id)) continue;
        // A node's control is the element itself, an overlay inside it, or the link around an image.
        const control =
          element.closest<HTMLElement>('[data-sdui-action]') ??
          element.querySelector<HTMLElement>(
            ':scope > [data-sdui-action], :scope > div > [data-sdui-action]',
          );
        seen.set(id, {
          text: element.textContent ?? '',
          alt: element.getAttribute('alt'),
          ...(control && {
            action: control.dataset['sduiAction'],
            label: control.getAttribute('aria-label') ?? '',
          }),
        });
      }
      return [...seen].map(([id, node]) => ({ id, ...node }));
    });

    expect(rendered.map(({ id }) => id)).toEqual(expected.map(({ id }) => id));
    for (const [index, { type, id, items, action }] of expected.entries()) {
      const node = rendered[index]!;
      for (const field of type === 'countdown' ? [] : SHOWN_TEXTS) {
        const text = items[field];
        if (typeof text === 'string') expect(node.text, `${id} ${field}`).toContain(text);
      }
      if (typeof items['alt'] === 'string') expect(node.alt, `${id} alt`).toBe(items['alt']);
      if (action !== undefined) {
        expect(node.action, `${id} action`).toBe(action);
        const label = items['accessibilityLabel'];
        if (typeof label === 'string') expect(node.label, `${id} accessibility label`).toContain(label);
      }
    }
  });
}
