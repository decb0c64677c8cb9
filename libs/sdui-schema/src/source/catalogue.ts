import { z } from 'zod';

import { SDUI_SCHEMA_VERSION } from './version';
import {
  Alignment,
  AspectRatio,
  Audience,
  ColorRole,
  CornerRadius,
  Emphasis,
  IconName,
  Presentation,
  Size,
  Spacing,
  TextStyle,
  Tone,
} from './tokens';

// THE source of truth of the SDUI schema. `nx run sdui-schema:generate` turns it into the published
// JSON Schema and, from that, the TypeScript types and validator, the Kotlin decoder and docs/sdui.
// Only structure that JSON Schema can express belongs here; zod is the authoring language, not the
// runtime validator.

// z.lazy becomes a $ref to the named definition, which is how the tree recurses.
const NodeRef = z.lazy(() => SduiNode);
const WidgetRef = z.lazy(() => Widget);
const ActionRef = z.lazy(() => Action);

const text = (maxLength: number) => z.string().min(1).max(maxLength);

// Patterns are anchored (^...$) and ASCII-only so JavaScript and Java regexes agree on them.
const NodeId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/)
  .describe('Stable id, unique within its widget; widget ids are unique within a screen.');
const HttpsUrl = z
  .string()
  .max(2048)
  .regex(/^https:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?([/?#][!-~]*)?$/);
const AccessibilityLabel = text(200);
const Timestamp = z
  .string()
  .regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,3})?Z$/)
  .describe('An RFC 3339 UTC timestamp, e.g. 2025-12-24T18:00:00Z.');
const SchemaVersion = z
  .string()
  .regex(new RegExp(`^${SDUI_SCHEMA_VERSION.split('.')[0]}\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)$`))
  .describe('The schema version (semver) the screen was written for; the major must match the reader.');

/** A segment, experiment or variant id: unique within its product, so it needs no escaping in keys. */
const CampaignId = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/);

const Provenance = z
  .strictObject({
    productId: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,63}$/)
      .describe('The product that published the widget.'),
    audience: Audience.describe('Whether the widget was built for this user or for everyone.'),
    dataVersion: text(64).describe('Version of the product data the widget was built from.'),
    // Added in 1.1.0: which campaign chose the widget, so that clients report it back with its events.
    segmentId: CampaignId.optional().describe(
      "The product's segment the widget was published to, when it was chosen for the user's membership.",
    ),
    experimentId: CampaignId.optional().describe(
      'The running experiment that chose the widget; `variantId` names the variant the user is assigned to.',
    ),
    variantId: CampaignId.optional().describe(
      "The experiment's variant the user is assigned to; set together with `experimentId`.",
    ),
  })
  .meta({
    id: 'Provenance',
    description: 'Where a widget came from; set by core-api on each widget root.',
    // An experiment's widget always names its variant, and a variant its experiment.
    dependentRequired: { experimentId: ['variantId'], variantId: ['experimentId'] },
  });

// Spread into every interactive node; node() makes the label required whenever an action is set.
const interactive = {
  action: ActionRef.optional().describe('What a tap does; the node is interactive only when set.'),
  accessibilityLabel: AccessibilityLabel.optional().describe(
    'Read by screen readers; required when `action` is set.',
  ),
};

const children = (min: number, max: number) =>
  z.array(NodeRef).min(min).max(max).describe('Child nodes, in order.');

const pascal = (kebab: string) =>
  kebab.replace(/(^|-)([a-z])/g, (_, _dash, letter: string) => letter.toUpperCase());

function node<T extends string, F extends z.ZodRawShape>(
  type: T,
  description: string,
  fields: F,
  dependentRequired: Record<string, string[]> = {},
) {
  if ('action' in fields && !('accessibilityLabel' in fields)) {
    throw new Error(`Node "${type}" has an action but no accessibilityLabel field`);
  }
  // A label that is optional in general is still required as soon as the node is interactive.
  const rules =
    'action' in fields && fields.accessibilityLabel instanceof z.ZodOptional
      ? { ...dependentRequired, action: ['accessibilityLabel'] }
      : dependentRequired;
  return z
    .strictObject({
      type: z.literal(type),
      id: NodeId,
      fallback: NodeRef.optional().describe(
        'Shown instead of this node by clients that cannot render it; without one such clients drop the node.',
      ),
      ...fields,
    })
    .meta({
      id: `${pascal(type)}Node`,
      description,
      ...(Object.keys(rules).length > 0 && { dependentRequired: rules }),
    });
}

/** A node that may also be a widget root: it carries provenance, and its fallback must be a widget too. */
function widgetNode<T extends string, F extends z.ZodRawShape>(
  type: T,
  description: string,
  fields: F,
  dependentRequired?: Record<string, string[]>,
) {
  return node(
    type,
    description,
    {
      fallback: WidgetRef.optional().describe(
        'Shown instead of this widget by clients that cannot render it; without one such clients drop it.',
      ),
      provenance: Provenance.optional().describe('Set by core-api when the node is a widget root.'),
      ...fields,
    },
    dependentRequired,
  );
}

function action<T extends string, F extends z.ZodRawShape>(type: T, description: string, fields: F) {
  return z
    .strictObject({ type: z.literal(type), ...fields })
    .meta({ id: `${pascal(type)}Action`, description });
}

// --- Actions ---------------------------------------------------------------------------------

const NavigateAction = action('navigate', 'Opens a screen of the app through its deeplink.', {
  deeplink: z
    .string()
    .max(2048)
    .regex(/^homewidgets:\/\/[!-~]+$/)
    .describe('An app deeplink, e.g. homewidgets://orders/123.'),
});

const OpenUrlAction = action('open-url', 'Opens a web page in the in-app browser. Only https is allowed.', {
  url: HttpsUrl.describe('The https URL to open.'),
});

const OpenSheetAction = action('open-sheet', 'Shows an embedded tree in a bottom sheet or a dialog.', {
  presentation: Presentation.optional().describe('Defaults to `sheet`.'),
  title: text(80).optional().describe('Title of the sheet or dialog.'),
  content: NodeRef.describe('The tree to show.'),
});

const DismissWidgetAction = action(
  'dismiss-widget',
  'Hides the widget that contains the node for this user, e.g. a "not interested" button.',
  {},
);

const TrackAction = action('track', 'Records an analytics event and does nothing else.', {
  event: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,63}$/)
    .describe('The event name, snake_case.'),
  properties: z
    .record(z.string().regex(/^[a-z][a-z0-9_]{0,39}$/), z.string().max(200))
    .optional()
    .describe('Event properties, as strings.'),
});

const RefreshScreenAction = action('refresh-screen', 'Reloads the whole screen from the server.', {});

// --- Nodes -----------------------------------------------------------------------------------

const SectionNode = widgetNode('section', 'A titled group of nodes, e.g. "Your orders" with a list.', {
  title: text(80).describe('The section heading.'),
  subtitle: text(160).optional().describe('A line under the heading.'),
  children: children(1, 50),
  ...interactive,
});

const StackNode = node('stack', 'Layers its children on top of each other, the first at the back.', {
  children: children(1, 10),
  alignment: Alignment.optional().describe('How smaller children are placed; defaults to `start`.'),
});

const RowNode = node('row', 'Lays its children out side by side.', {
  children: children(1, 20),
  spacing: Spacing.optional().describe('Gap between children; defaults to `none`.'),
  alignment: Alignment.optional().describe('Vertical alignment of the children; defaults to `center`.'),
});

const ColumnNode = node('column', 'Lays its children out from top to bottom.', {
  children: children(1, 50),
  spacing: Spacing.optional().describe('Gap between children; defaults to `none`.'),
  alignment: Alignment.optional().describe('Horizontal alignment of the children; defaults to `start`.'),
});

const GridNode = node('grid', 'Lays its children out in equal columns, row by row.', {
  columns: z.int().min(1).max(4).describe('Number of columns.'),
  children: children(1, 50),
  spacing: Spacing.optional().describe('Gap between cells; defaults to `sm`.'),
});

const CardNode = widgetNode('card', 'A surface that groups its children, optionally tappable as a whole.', {
  children: children(1, 20),
  padding: Spacing.optional().describe('Inner padding; defaults to `md`.'),
  corner: CornerRadius.optional().describe('Corner radius; defaults to `md`.'),
  background: ColorRole.optional().describe('Background colour role; defaults to `surface`.'),
  elevated: z.boolean().optional().describe('Whether the card casts a shadow; defaults to false.'),
  ...interactive,
});

const CarouselNode = widgetNode('carousel', 'A horizontally scrolling list of items, usually cards.', {
  children: children(1, 20),
  itemSize: Size.optional().describe('Width of each item; defaults to `medium`.'),
  spacing: Spacing.optional().describe('Gap between items; defaults to `sm`.'),
  showIndicators: z.boolean().optional().describe('Whether page dots are shown; defaults to false.'),
});

const TextNode = node('text', 'A run of text in one style.', {
  text: text(1000).describe('The text, shown as is (no markup).'),
  style: TextStyle.optional().describe('Defaults to `body`.'),
  color: ColorRole.optional().describe('Defaults to `on-surface`.'),
  maxLines: z.int().min(1).max(10).optional().describe('Truncates with an ellipsis after this many lines.'),
  align: Alignment.optional().describe('Defaults to `start`.'),
});

const ImageNode = node('image', 'A remote image, loaded over https.', {
  url: HttpsUrl.describe('The https URL of the image.'),
  alt: z.string().max(200).describe('Describes the image to screen readers; empty for decorative images.'),
  aspectRatio: AspectRatio.describe('The shape the image is shown in; it is cropped to fill it.'),
  corner: CornerRadius.optional().describe('Defaults to `none`.'),
  ...interactive,
});

const ButtonNode = node('button', 'A labelled control that runs an action.', {
  label: text(40).describe('The visible label.'),
  action: ActionRef.describe('What a tap does.'),
  accessibilityLabel: AccessibilityLabel.describe('Read by screen readers.'),
  emphasis: Emphasis.optional().describe('Defaults to `high`.'),
  icon: IconName.optional().describe('An icon before the label.'),
});

const IconNode = node('icon', 'An icon from the shared set.', {
  name: IconName.describe('Which icon.'),
  size: Size.optional().describe('Defaults to `medium`.'),
  color: ColorRole.optional().describe('Defaults to `on-surface`.'),
  accessibilityLabel: AccessibilityLabel.optional().describe(
    'Read by screen readers; omit for decorative icons.',
  ),
});

const BadgeNode = node('badge', 'A short status label, e.g. "New" or "-20%".', {
  label: text(24).describe('The label.'),
  tone: Tone.optional().describe('Defaults to `neutral`.'),
});

const BannerNode = widgetNode(
  'banner',
  'A hero: a large title over an optional background image, with optional content under it.',
  {
    title: text(80).describe('The headline.'),
    subtitle: text(160).optional().describe('A line under the headline.'),
    imageUrl: HttpsUrl.optional().describe('Background image, https.'),
    imageAlt: z.string().max(200).optional().describe('Describes the image; required with `imageUrl`.'),
    tone: Tone.optional().describe('Colours the banner when there is no image; defaults to `promo`.'),
    children: children(0, 4)
      .optional()
      .describe('Extra content under the subtitle, e.g. a countdown or a button.'),
    ...interactive,
  },
  { imageUrl: ['imageAlt'] },
);

const ListItemNode = node(
  'list-item',
  'A row of a list: title, subtitle and optional leading/trailing nodes.',
  {
    title: text(120).describe('The main line.'),
    subtitle: text(200).optional().describe('A secondary line.'),
    leading: NodeRef.optional().describe('Shown before the text, e.g. an icon or image.'),
    trailing: NodeRef.optional().describe('Shown after the text, e.g. a price or badge.'),
    ...interactive,
  },
);

const DividerNode = node('divider', 'A thin line between content.', {
  inset: Spacing.optional().describe('Space left empty at both ends; defaults to `none`.'),
});

const SpacerNode = node('spacer', 'Empty space along the parent’s axis.', {
  size: Spacing.describe('How much space.'),
});

const money = (what: string) =>
  z.int().min(0).max(1_000_000_000_000).describe(`${what} in minor units of the currency (e.g. cents).`);

const PriceNode = node('price', 'A price, formatted by the client for the user’s locale.', {
  amountMinor: money('The price'),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .describe('ISO 4217 currency code, e.g. EUR.'),
  originalAmountMinor: money('The price before a deal, shown struck through,').optional(),
  style: TextStyle.optional().describe('Defaults to `title`.'),
});

const CountdownNode = node('countdown', 'Time left until a moment, updated live by the client.', {
  endsAt: Timestamp,
  label: text(40).optional().describe('Shown before the time, e.g. "Ends in".'),
  expiredLabel: text(40)
    .optional()
    .describe('Shown instead once the moment has passed; defaults to hiding the node.'),
  style: TextStyle.optional().describe('Defaults to `label`.'),
});

const ProgressNode = node('progress', 'A progress bar, e.g. loyalty points towards the next reward.', {
  value: z.int().min(0).max(1_000_000_000).describe('Progress so far; clients clamp it to `max`.'),
  max: z.int().min(1).max(1_000_000_000).describe('The value of a full bar.'),
  label: text(80).optional().describe('Shown with the bar, e.g. "320 / 500 points".'),
  tone: Tone.optional().describe('Defaults to `positive`.'),
});

const RatingNode = node('rating', 'A star rating out of 5.', {
  value: z.number().min(0).max(5).describe('The rating, 0 to 5; clients round to half stars.'),
  reviewCount: z.int().min(0).max(1_000_000_000).optional().describe('Number of reviews, shown in brackets.'),
});

// --- Unions and the screen ------------------------------------------------------------------

export const Action: z.ZodType = z
  .discriminatedUnion('type', [
    NavigateAction,
    OpenUrlAction,
    OpenSheetAction,
    DismissWidgetAction,
    TrackAction,
    RefreshScreenAction,
  ])
  .meta({ id: 'Action', description: 'What happens when the user taps an interactive node.' });

export const SduiNode: z.ZodType = z
  .discriminatedUnion('type', [
    SectionNode,
    StackNode,
    RowNode,
    ColumnNode,
    GridNode,
    CardNode,
    CarouselNode,
    TextNode,
    ImageNode,
    ButtonNode,
    IconNode,
    BadgeNode,
    BannerNode,
    ListItemNode,
    DividerNode,
    SpacerNode,
    PriceNode,
    CountdownNode,
    ProgressNode,
    RatingNode,
  ])
  .meta({ id: 'SduiNode', description: 'Any node of the tree.' });

export const Widget: z.ZodType = z
  .discriminatedUnion('type', [SectionNode, CardNode, CarouselNode, BannerNode])
  .meta({ id: 'Widget', description: 'The root node a product publishes into one slot of the home screen.' });

export const Screen = z
  .strictObject({
    type: z.literal('screen'),
    id: NodeId.describe('Identifies the screen, e.g. "home".'),
    schemaVersion: SchemaVersion,
    title: text(80).optional().describe('Shown in the app bar, if the client has one.'),
    widgets: z.array(WidgetRef).max(40).describe('The widgets, top to bottom.'),
  })
  .meta({
    id: 'Screen',
    description: 'One aggregated home screen: widgets from many products, top to bottom.',
  });
