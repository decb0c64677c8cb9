/** What every node component needs besides its node; passed down the tree (Server Components have no context). */
export interface RenderContext {
  /** The widget root's id: node ids are unique only within a widget. */
  widgetId: string;
  /** BCP 47 locale for prices and numbers. */
  locale: string;
  /** Request time (ms), so a countdown renders the same text on the server and at hydration. */
  now: number;
  /** Heading level of the next section or banner title (2 at widget roots). */
  level: 2 | 3 | 4 | 5 | 6;
  /** Load images eagerly (the first widget, likely the largest paint). */
  eager: boolean;
}

/** A DOM id unique within the screen. */
export const domId = (ctx: RenderContext, nodeId: string, suffix = '') =>
  `sdui-${ctx.widgetId}-${nodeId}${suffix}`.replace(/[^A-Za-z0-9_-]/g, '_');

export const deeper = (ctx: RenderContext): RenderContext => ({
  ...ctx,
  level: Math.min(ctx.level + 1, 6) as RenderContext['level'],
});
