'use client';

import { useSyncExternalStore, type CSSProperties } from 'react';

/**
 * A subtree in one colour scheme whatever the page's (the studio's light and dark previews, the code
 * editor). The page's colour tokens (globals.css) are resolved once, on the root element, for the page's
 * scheme; such a subtree must declare them again to resolve them there. The declarations are copied from
 * the stylesheet as written, so they never drift from globals.css. Lightning CSS (Tailwind's build) turns
 * `light-dark(a, b)` into `var(--lightningcss-light, a) var(--lightningcss-dark, b)`: the pane switches
 * those two as a `color-scheme` declaration in the stylesheet would.
 */
let declaredTokens: Record<string, string> | undefined;
const NO_TOKENS: Record<string, string> = {};

/** The `--color-*` declarations of the stylesheets' :root rules, read once. */
function readTokens(): Record<string, string> {
  if (declaredTokens !== undefined) return declaredTokens;
  const declared: Record<string, string> = {};
  for (const sheet of Array.from(document.styleSheets)) {
    let rules: CSSRuleList;
    try {
      rules = sheet.cssRules;
    } catch {
      continue; // another origin's stylesheet
    }
    const queue = Array.from(rules);
    for (let rule = queue.shift(); rule !== undefined; rule = queue.shift()) {
      if (rule instanceof CSSGroupingRule) queue.push(...Array.from(rule.cssRules));
      if (!(rule instanceof CSSStyleRule) || !rule.selectorText.includes(':root')) continue;
      for (const name of Array.from(rule.style))
        if (name.startsWith('--color-')) declared[name] = rule.style.getPropertyValue(name);
    }
  }
  declaredTokens = declared;
  return declared;
}

const unchanging = () => () => undefined;

export function useSchemeStyle(scheme: 'light' | 'dark'): CSSProperties {
  // The server has no stylesheet to read: it renders the page's scheme, the browser then the pane's.
  const tokens = useSyncExternalStore(unchanging, readTokens, () => NO_TOKENS);
  return {
    colorScheme: scheme,
    ...tokens,
    ['--lightningcss-light' as string]: scheme === 'light' ? 'initial' : ' ',
    ['--lightningcss-dark' as string]: scheme === 'dark' ? 'initial' : ' ',
  };
}
