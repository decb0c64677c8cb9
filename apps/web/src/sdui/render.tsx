import {
  type BadgeNode,
  type BannerNode,
  type ButtonNode,
  type CardNode,
  type CarouselNode,
  type ColumnNode,
  type CountdownNode,
  type DividerNode,
  type GridNode,
  type IconNode,
  type ImageNode,
  type ListItemNode,
  type PriceNode,
  type ProgressNode,
  type RatingNode,
  type RowNode,
  type SduiNode,
  type SduiNodeRenderers,
  type SectionNode,
  type SpacerNode,
  type StackNode,
  type TextNode,
  renderSduiNode,
} from '@hwp/sdui-schema';
import { clsx } from 'clsx';
import type { ReactNode } from 'react';
import { ActionControl } from './actions';
import { Carousel } from './client/carousel';
import { Countdown } from './client/countdown';
import { deeper, domId, type RenderContext } from './context';
import { Icon, ICON_PATHS } from './icons';
import {
  ASPECT_RATIO,
  BACKGROUND,
  CAROUSEL_ITEM,
  COLUMN_ALIGN,
  CORNER,
  EMPHASIS,
  GAP,
  GRID_COLUMNS,
  ICON_SIZE,
  INSET,
  LINE_CLAMP,
  PADDING,
  ROW_ALIGN,
  SECONDARY_TEXT,
  SPACER,
  STACK_ALIGN,
  TEXT_ALIGN,
  TEXT_COLOR,
  TEXT_STYLE,
  TONE,
  TONE_FILL,
  isToken,
  token,
} from './theme';

/**
 * The SDUI renderer: one Server Component per node type, in a registry keyed by the generated node types,
 * so a component added to the schema fails the typecheck until it has a view here. Only the interactive
 * parts (carousel, countdown, sheets, dismiss/refresh buttons) are Client Components. Nodes come from
 * decodeScreen/decodeWidget, which already replaced what this build cannot render by its fallback.
 */
const NODE_VIEWS: SduiNodeRenderers<ReactNode, RenderContext> = {
  section: (node, ctx) => <SectionView node={node} ctx={ctx} />,
  stack: (node, ctx) => <StackView node={node} ctx={ctx} />,
  row: (node, ctx) => <RowView node={node} ctx={ctx} />,
  column: (node, ctx) => <ColumnView node={node} ctx={ctx} />,
  grid: (node, ctx) => <GridView node={node} ctx={ctx} />,
  card: (node, ctx) => <CardView node={node} ctx={ctx} />,
  carousel: (node, ctx) => <CarouselView node={node} ctx={ctx} />,
  text: (node) => <TextView node={node} />,
  image: (node, ctx) => <ImageView node={node} ctx={ctx} />,
  button: (node, ctx) => <ButtonView node={node} ctx={ctx} />,
  icon: (node) => <IconView node={node} />,
  badge: (node) => <BadgeView node={node} />,
  banner: (node, ctx) => <BannerView node={node} ctx={ctx} />,
  'list-item': (node, ctx) => <ListItemView node={node} ctx={ctx} />,
  divider: (node) => <DividerView node={node} />,
  spacer: (node) => <SpacerView node={node} />,
  price: (node, ctx) => <PriceView node={node} ctx={ctx} />,
  countdown: (node, ctx) => <CountdownView node={node} ctx={ctx} />,
  progress: (node, ctx) => <ProgressView node={node} ctx={ctx} />,
  rating: (node, ctx) => <RatingView node={node} ctx={ctx} />,
};

export function SduiNodeView({ node, ctx }: { node: SduiNode; ctx: RenderContext }) {
  return renderSduiNode(NODE_VIEWS, node, ctx);
}

function Children({ nodes, ctx }: { nodes: readonly SduiNode[] | undefined; ctx: RenderContext }) {
  return nodes?.map((child) => <SduiNodeView key={child.id} node={child} ctx={ctx} />);
}

/** Props that make a container host an overlay action (see the `data-sdui-pressable` rule in globals.css). */
const pressable = (interactive: boolean) => (interactive ? { 'data-sdui-pressable': '' } : {});

const OVERLAY = 'absolute inset-0 rounded-[inherit] hover:bg-current/5';

function Heading({
  level,
  id,
  className,
  children,
}: {
  level: RenderContext['level'];
  id?: string;
  className: string;
  children: string;
}) {
  const Tag = `h${level}` as const;
  return (
    <Tag id={id} className={className}>
      {children}
    </Tag>
  );
}

function SectionView({ node, ctx }: { node: SectionNode; ctx: RenderContext }) {
  const headingId = domId(ctx, node.id, '-title');
  return (
    <section aria-labelledby={headingId} data-sdui-id={node.id} className="flex flex-col gap-3">
      <div className="relative flex items-center gap-2 rounded-lg" {...pressable(!!node.action)}>
        {node.action && (
          <ActionControl
            action={node.action}
            label={node.accessibilityLabel ?? node.title}
            ctx={ctx}
            overlay
            className={OVERLAY}
          />
        )}
        <div className="min-w-0 flex-1">
          <Heading level={ctx.level} id={headingId} className="text-lg leading-snug font-semibold">
            {node.title}
          </Heading>
          {node.subtitle && <p className={clsx('text-sm', SECONDARY_TEXT)}>{node.subtitle}</p>}
        </div>
        {node.action && <Icon name="chevron-right" className="size-5 shrink-0" />}
      </div>
      <div className="flex flex-col gap-2">
        <Children nodes={node.children} ctx={deeper(ctx)} />
      </div>
    </section>
  );
}

function StackView({ node, ctx }: { node: StackNode; ctx: RenderContext }) {
  const align = token(STACK_ALIGN, node.alignment, 'start');
  return (
    <div data-sdui-id={node.id} className="grid grid-cols-1 grid-rows-1">
      {node.children.map((child) => (
        <div key={child.id} className={clsx('col-start-1 row-start-1 flex min-w-0 flex-col', align)}>
          <SduiNodeView node={child} ctx={ctx} />
        </div>
      ))}
    </div>
  );
}

function RowView({ node, ctx }: { node: RowNode; ctx: RenderContext }) {
  return (
    <div
      data-sdui-id={node.id}
      className={clsx(
        'flex flex-row flex-wrap',
        token(GAP, node.spacing, 'none'),
        token(ROW_ALIGN, node.alignment, 'center'),
      )}
    >
      <Children nodes={node.children} ctx={ctx} />
    </div>
  );
}

function ColumnView({ node, ctx }: { node: ColumnNode; ctx: RenderContext }) {
  return (
    <div
      data-sdui-id={node.id}
      className={clsx(
        'flex flex-col',
        token(GAP, node.spacing, 'none'),
        token(COLUMN_ALIGN, node.alignment, 'start'),
      )}
    >
      <Children nodes={node.children} ctx={ctx} />
    </div>
  );
}

function GridView({ node, ctx }: { node: GridNode; ctx: RenderContext }) {
  const columns = Math.min(Math.max(Math.trunc(node.columns) || 1, 1), 4) as 1 | 2 | 3 | 4;
  return (
    <div
      data-sdui-id={node.id}
      className={clsx('grid', GRID_COLUMNS[columns], token(GAP, node.spacing, 'sm'))}
    >
      <Children nodes={node.children} ctx={ctx} />
    </div>
  );
}

function CardView({ node, ctx }: { node: CardNode; ctx: RenderContext }) {
  const background = token(BACKGROUND, node.background, 'surface');
  return (
    <div
      data-sdui-id={node.id}
      {...pressable(!!node.action)}
      className={clsx(
        'relative flex flex-col gap-2',
        background,
        token(PADDING, node.padding, 'md'),
        token(CORNER, node.corner, 'md'),
        node.elevated ? 'shadow-md' : (node.background ?? 'surface') === 'surface' && 'border border-border',
      )}
    >
      {node.action && (
        <ActionControl
          action={node.action}
          label={node.accessibilityLabel ?? ''}
          ctx={ctx}
          overlay
          className={OVERLAY}
        />
      )}
      <Children nodes={node.children} ctx={ctx} />
    </div>
  );
}

function CarouselView({ node, ctx }: { node: CarouselNode; ctx: RenderContext }) {
  return (
    <Carousel
      id={domId(ctx, node.id)}
      nodeId={node.id}
      itemClassName={token(CAROUSEL_ITEM, node.itemSize, 'medium')}
      gapClassName={token(GAP, node.spacing, 'sm')}
      showIndicators={node.showIndicators === true}
      items={node.children.map((child) => (
        <SduiNodeView key={child.id} node={child} ctx={ctx} />
      ))}
    />
  );
}

function TextView({ node }: { node: TextNode }) {
  return (
    <p
      data-sdui-id={node.id}
      className={clsx(
        'break-words',
        token(TEXT_STYLE, node.style, 'body'),
        // Without a colour, text takes its container's content colour (on-surface on the page and cards).
        node.color !== undefined && token(TEXT_COLOR, node.color, 'on-surface'),
        token(TEXT_ALIGN, node.align, 'start'),
        node.maxLines !== undefined && LINE_CLAMP[Math.min(Math.max(Math.trunc(node.maxLines), 1), 10)],
      )}
    >
      {node.text}
    </p>
  );
}

function ImageView({ node, ctx }: { node: ImageNode; ctx: RenderContext }) {
  const shape = clsx(token(ASPECT_RATIO, node.aspectRatio, 'square'), token(CORNER, node.corner, 'none'));
  const image = (
    // A plain <img>: lazy, with its box reserved by aspect-ratio so nothing shifts when it arrives.
    // eslint-disable-next-line @next/next/no-img-element
    <img
      data-sdui-id={node.id}
      src={node.url}
      alt={node.alt}
      loading={ctx.eager ? 'eager' : 'lazy'}
      fetchPriority={ctx.eager ? 'high' : undefined}
      decoding="async"
      className={clsx('block w-full bg-surface-variant object-cover', shape)}
    />
  );
  if (!node.action) return image;
  return (
    <ActionControl
      action={node.action}
      label={node.accessibilityLabel ?? node.alt}
      ctx={ctx}
      className={clsx('block w-full', token(CORNER, node.corner, 'none'))}
    >
      {image}
    </ActionControl>
  );
}

/**
 * A button's accessible name: its accessibilityLabel, led by the visible label when the accessibilityLabel
 * does not contain it (WCAG 2.5.3 label in name: "Got it" + "Dismiss this message" becomes "Got it,
 * Dismiss this message", so speech users can say what they see and screen readers hear both).
 */
export function buttonName(label: string, accessibilityLabel: string): string {
  return accessibilityLabel.toLowerCase().includes(label.toLowerCase())
    ? accessibilityLabel
    : `${label}, ${accessibilityLabel}`;
}

function ButtonView({ node, ctx }: { node: ButtonNode; ctx: RenderContext }) {
  return (
    <ActionControl
      action={node.action}
      label={buttonName(node.label, node.accessibilityLabel)}
      ctx={ctx}
      nodeId={node.id}
      className={clsx(
        'inline-flex min-h-10 cursor-pointer items-center justify-center gap-2 self-start rounded-lg text-sm font-medium transition-colors',
        token(EMPHASIS, node.emphasis, 'high'),
      )}
    >
      {node.icon !== undefined && <IconGlyph name={node.icon} className="size-4" />}
      {node.label}
    </ActionControl>
  );
}

/** An icon by name; nothing for a name from a newer schema (optional icons only). */
function IconGlyph({ name, className }: { name: string; className: string }) {
  return isToken(ICON_PATHS, name) ? <Icon name={name} className={className} /> : null;
}

function IconView({ node }: { node: IconNode }) {
  return (
    <span data-sdui-id={node.id} className="inline-flex shrink-0">
      <Icon
        name={node.name}
        label={node.accessibilityLabel}
        className={clsx(
          token(ICON_SIZE, node.size, 'medium'),
          node.color !== undefined && token(TEXT_COLOR, node.color, 'on-surface'),
        )}
      />
    </span>
  );
}

function BadgeView({ node }: { node: BadgeNode }) {
  return (
    <span
      data-sdui-id={node.id}
      className={clsx(
        'inline-flex items-center self-start rounded-full px-2.5 py-0.5 text-xs font-medium whitespace-nowrap',
        token(TONE, node.tone, 'neutral'),
      )}
    >
      {node.label}
    </span>
  );
}

function BannerView({ node, ctx }: { node: BannerNode; ctx: RenderContext }) {
  const withImage = node.imageUrl !== undefined;
  return (
    <div
      data-sdui-id={node.id}
      {...pressable(!!node.action)}
      className={clsx(
        'relative isolate overflow-hidden rounded-2xl',
        withImage ? 'bg-tone-neutral text-on-image' : token(TONE, node.tone, 'promo'),
      )}
    >
      {withImage && (
        <>
          {/* eslint-disable-next-line @next/next/no-img-element -- see ImageView */}
          <img
            src={node.imageUrl}
            alt={node.imageAlt ?? ''}
            loading={ctx.eager ? 'eager' : 'lazy'}
            fetchPriority={ctx.eager ? 'high' : undefined}
            decoding="async"
            className="absolute inset-0 -z-10 size-full object-cover text-transparent"
          />
          <div aria-hidden className="absolute inset-0 -z-10 bg-image-scrim" />
        </>
      )}
      {node.action && (
        <ActionControl
          action={node.action}
          label={node.accessibilityLabel ?? node.title}
          ctx={ctx}
          overlay
          className={OVERLAY}
        />
      )}
      <div className={clsx('flex flex-col justify-end gap-1 p-6', withImage && 'min-h-48')}>
        <Heading level={ctx.level} className="text-2xl leading-snug font-semibold tracking-tight">
          {node.title}
        </Heading>
        {node.subtitle && <p className="text-base">{node.subtitle}</p>}
        {node.children && node.children.length > 0 && (
          <div className="mt-3 flex flex-col items-start gap-2">
            <Children nodes={node.children} ctx={deeper(ctx)} />
          </div>
        )}
      </div>
    </div>
  );
}

function ListItemView({ node, ctx }: { node: ListItemNode; ctx: RenderContext }) {
  return (
    <div
      data-sdui-id={node.id}
      {...pressable(!!node.action)}
      className="relative -mx-2 flex items-center gap-3 rounded-lg px-2 py-2"
    >
      {node.action && (
        <ActionControl
          action={node.action}
          label={node.accessibilityLabel ?? node.title}
          ctx={ctx}
          overlay
          className={OVERLAY}
        />
      )}
      {node.leading && (
        <div className="flex size-10 shrink-0 items-center justify-center">
          <SduiNodeView node={node.leading} ctx={ctx} />
        </div>
      )}
      <div className="min-w-0 flex-1">
        <p className="font-medium break-words">{node.title}</p>
        {node.subtitle && <p className={clsx('text-sm break-words', SECONDARY_TEXT)}>{node.subtitle}</p>}
      </div>
      {node.trailing && (
        <div className="flex shrink-0 items-center">
          <SduiNodeView node={node.trailing} ctx={ctx} />
        </div>
      )}
    </div>
  );
}

function DividerView({ node }: { node: DividerNode }) {
  return (
    <hr
      data-sdui-id={node.id}
      className={clsx('self-stretch border-t border-border', token(INSET, node.inset, 'none'))}
    />
  );
}

function SpacerView({ node }: { node: SpacerNode }) {
  return (
    <div data-sdui-id={node.id} aria-hidden className={clsx('shrink-0', token(SPACER, node.size, 'md'))} />
  );
}

const formats = new Map<string, Intl.NumberFormat>();
/** A cached currency format (throws a RangeError for a malformed currency code). */
function currencyFormat(locale: string, currency: string): Intl.NumberFormat {
  const key = `${locale}|${currency}`;
  let format = formats.get(key);
  if (format === undefined) {
    format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    if (formats.size > 500) formats.clear();
    formats.set(key, format);
  }
  return format;
}

function PriceView({ node, ctx }: { node: PriceNode; ctx: RenderContext }) {
  const format = currencyFormat(ctx.locale, node.currency);
  // Minor units per the currency (cents for EUR, none for JPY): Intl knows each currency's ISO digits.
  const scale = 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2);
  const original = node.originalAmountMinor;
  const deal = original !== undefined && original > node.amountMinor;
  return (
    <p data-sdui-id={node.id} className="flex flex-wrap items-baseline gap-x-2">
      <span className={token(TEXT_STYLE, node.style, 'title')}>
        {deal && <span className="sr-only">Now </span>}
        {format.format(node.amountMinor / scale)}
      </span>
      {deal && (
        <span className={clsx('text-sm', SECONDARY_TEXT)}>
          <span className="sr-only">, was </span>
          <s>{format.format(original / scale)}</s>
        </span>
      )}
    </p>
  );
}

function CountdownView({ node, ctx }: { node: CountdownNode; ctx: RenderContext }) {
  const endsAt = Date.parse(node.endsAt);
  if (Number.isNaN(endsAt)) return null;
  return (
    <Countdown
      nodeId={node.id}
      endsAt={endsAt}
      serverNow={ctx.now}
      label={node.label}
      expiredLabel={node.expiredLabel}
      className={token(TEXT_STYLE, node.style, 'label')}
    />
  );
}

function ProgressView({ node, ctx }: { node: ProgressNode; ctx: RenderContext }) {
  const max = node.max > 0 ? node.max : 1;
  const value = Math.min(Math.max(node.value, 0), max);
  const labelId = domId(ctx, node.id, '-label');
  return (
    <div data-sdui-id={node.id} className="flex flex-col gap-1 self-stretch">
      {node.label && (
        <p id={labelId} className="text-sm">
          {node.label}
        </p>
      )}
      <div
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={value}
        {...(node.label ? { 'aria-labelledby': labelId } : { 'aria-label': 'Progress' })}
        className="h-2 w-full overflow-hidden rounded-full bg-current/15"
      >
        <div
          className={clsx('h-full rounded-full', token(TONE_FILL, node.tone, 'positive'))}
          style={{ width: `${(value / max) * 100}%` }}
        />
      </div>
    </div>
  );
}

function RatingView({ node, ctx }: { node: RatingNode; ctx: RenderContext }) {
  const value = Math.round(Math.min(Math.max(node.value, 0), 5) * 2) / 2;
  const count = node.reviewCount;
  return (
    <p data-sdui-id={node.id} className="flex items-center gap-1.5 text-sm">
      <span role="img" aria-label={`Rated ${value} out of 5`} className="inline-flex text-warning">
        {[0, 1, 2, 3, 4].map((star) => (
          <Star key={star} fill={Math.min(Math.max(value - star, 0), 1)} />
        ))}
      </span>
      {count !== undefined && (
        <span className={SECONDARY_TEXT}>
          ({new Intl.NumberFormat(ctx.locale).format(count)}
          <span className="sr-only"> reviews</span>)
        </span>
      )}
    </p>
  );
}

const STAR = 'M12 3.5l2.6 5.3 5.9.9-4.3 4.1 1 5.8L12 16.9l-5.2 2.7 1-5.8-4.3-4.1 5.9-.9z';

/** One star, filled 0, ½ or 1. */
function Star({ fill }: { fill: number }) {
  return (
    <svg viewBox="0 0 24 24" aria-hidden className="size-4">
      <path d={STAR} fill="none" stroke="currentColor" strokeWidth={1.5} strokeLinejoin="round" />
      {fill > 0 && (
        <path d={STAR} fill="currentColor" style={fill < 1 ? { clipPath: 'inset(0 50% 0 0)' } : undefined} />
      )}
    </svg>
  );
}
