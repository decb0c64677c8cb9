/**
 * Limits that the JSON Schema cannot express. Every reader enforces them (the TypeScript
 * validator and the Kotlin decoder) so one widget stays cheap to validate, send and render.
 * String lengths and list sizes live next to each field in catalogue.ts.
 */
export const SDUI_LIMITS = {
  /** Nodes on the path from a widget root to its deepest node, the root counting as 1. */
  maxDepth: 12,
  /** Nodes in one widget, fallbacks and sheet contents included. */
  maxNodesPerWidget: 250,
  /** UTF-8 size of one widget serialised as compact JSON (JSON.stringify). */
  maxWidgetBytes: 64 * 1024,
} as const;
