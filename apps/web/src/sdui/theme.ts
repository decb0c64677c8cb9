import type {
  Alignment,
  AspectRatio,
  ColorRole,
  CornerRadius,
  Emphasis,
  Size,
  Spacing,
  TextStyle,
  Tone,
} from '@hwp/sdui-schema';

/**
 * The one place where SDUI design tokens (docs/sdui/tokens.md) become Tailwind classes. Colours are the
 * semantic CSS variables of app/globals.css, which hold a light and a dark value each, so every class here
 * follows the theme. Each map is total over its token type (a new token is a compile error here), and
 * `token()` falls back to the default for tokens from a newer schema version.
 */

/** `map[value]` when `value` is a token this build knows, else `map[fallback]`. */
export function token<K extends string>(
  map: Readonly<Record<K, string>>,
  value: unknown,
  fallback: K,
): string {
  return typeof value === 'string' && Object.hasOwn(map, value) ? map[value as K] : map[fallback];
}

/** Whether `value` is a token of `map` (for required token fields: an unknown one makes the node unsupported). */
export const isToken = <K extends string>(map: Readonly<Record<K, unknown>>, value: unknown): value is K =>
  typeof value === 'string' && Object.hasOwn(map, value);

export const TEXT_STYLE: Record<TextStyle, string> = {
  display: 'text-4xl leading-tight font-bold tracking-tight',
  headline: 'text-2xl leading-snug font-semibold tracking-tight',
  title: 'text-lg leading-snug font-semibold',
  subtitle: 'text-base leading-snug font-medium',
  body: 'text-base leading-normal',
  'body-strong': 'text-base leading-normal font-semibold',
  label: 'text-sm leading-5 font-medium',
  caption: 'text-xs leading-4',
};

/** A colour role as the text colour. */
export const TEXT_COLOR: Record<ColorRole, string> = {
  primary: 'text-primary',
  'on-primary': 'text-on-primary',
  secondary: 'text-secondary',
  'on-secondary': 'text-on-secondary',
  surface: 'text-surface-raised',
  'on-surface': 'text-on-surface',
  'surface-variant': 'text-surface-variant',
  'on-surface-variant': 'text-on-surface-variant',
  accent: 'text-accent',
  'on-accent': 'text-on-accent',
  positive: 'text-positive',
  warning: 'text-warning',
  critical: 'text-critical',
  info: 'text-info',
};

/**
 * A colour role as a background, with the matching content colour, which children inherit (a text node
 * without a colour takes its container's content colour, so it stays readable on any background).
 */
export const BACKGROUND: Record<ColorRole, string> = {
  primary: 'bg-primary text-on-primary',
  'on-primary': 'bg-on-primary text-primary',
  secondary: 'bg-secondary text-on-secondary',
  'on-secondary': 'bg-on-secondary text-secondary',
  surface: 'bg-surface-raised text-on-surface',
  'on-surface': 'bg-on-surface text-surface-raised',
  'surface-variant': 'bg-surface-variant text-on-surface',
  'on-surface-variant': 'bg-on-surface-variant text-surface-raised',
  accent: 'bg-accent text-on-accent',
  'on-accent': 'bg-on-accent text-accent',
  positive: 'bg-tone-positive text-on-tone-positive',
  warning: 'bg-tone-warning text-on-tone-warning',
  critical: 'bg-tone-critical text-on-tone-critical',
  info: 'bg-tone-info text-on-tone-info',
};

/** A tone as a container colour with its content colour (badges, banners without an image). */
export const TONE: Record<Tone, string> = {
  neutral: 'bg-tone-neutral text-on-tone-neutral',
  info: 'bg-tone-info text-on-tone-info',
  positive: 'bg-tone-positive text-on-tone-positive',
  warning: 'bg-tone-warning text-on-tone-warning',
  critical: 'bg-tone-critical text-on-tone-critical',
  promo: 'bg-tone-promo text-on-tone-promo',
};

/** A tone as a solid fill (the bar of a progress node). */
export const TONE_FILL: Record<Tone, string> = {
  neutral: 'bg-on-surface-variant',
  info: 'bg-info',
  positive: 'bg-positive',
  warning: 'bg-warning',
  critical: 'bg-critical',
  promo: 'bg-accent',
};

export const GAP: Record<Spacing, string> = {
  none: 'gap-0',
  xxs: 'gap-0.5',
  xs: 'gap-1',
  sm: 'gap-2',
  md: 'gap-4',
  lg: 'gap-6',
  xl: 'gap-8',
  xxl: 'gap-12',
};

export const PADDING: Record<Spacing, string> = {
  none: 'p-0',
  xxs: 'p-0.5',
  xs: 'p-1',
  sm: 'p-2',
  md: 'p-4',
  lg: 'p-6',
  xl: 'p-8',
  xxl: 'p-12',
};

/** Horizontal inset of a divider. */
export const INSET: Record<Spacing, string> = {
  none: 'mx-0',
  xxs: 'mx-0.5',
  xs: 'mx-1',
  sm: 'mx-2',
  md: 'mx-4',
  lg: 'mx-6',
  xl: 'mx-8',
  xxl: 'mx-12',
};

/** A spacer's extent along its parent's axis: every SDUI container lays out with flexbox, so flex-basis. */
export const SPACER: Record<Spacing, string> = {
  none: 'basis-0',
  xxs: 'basis-0.5',
  xs: 'basis-1',
  sm: 'basis-2',
  md: 'basis-4',
  lg: 'basis-6',
  xl: 'basis-8',
  xxl: 'basis-12',
};

export const CORNER: Record<CornerRadius, string> = {
  none: 'rounded-none',
  sm: 'rounded-sm',
  md: 'rounded-lg',
  lg: 'rounded-2xl',
  full: 'rounded-full',
};

export const ASPECT_RATIO: Record<AspectRatio, string> = {
  square: 'aspect-square',
  portrait: 'aspect-[3/4]',
  landscape: 'aspect-[4/3]',
  wide: 'aspect-video',
  'ultra-wide': 'aspect-[21/9]',
};

/** Button emphasis: high is filled, medium tonal, low text only (in its container's content colour). */
export const EMPHASIS: Record<Emphasis, string> = {
  high: 'px-4 bg-primary text-on-primary no-underline hover:bg-primary/90 hover:no-underline',
  medium:
    'px-4 bg-primary-container text-on-primary-container no-underline hover:bg-primary-container/80 hover:no-underline',
  low: 'px-1 -mx-1 text-current underline underline-offset-4 hover:decoration-2',
};

export const ICON_SIZE: Record<Size, string> = {
  small: 'size-4',
  medium: 'size-5',
  large: 'size-7',
};

/** Width of a carousel item. */
export const CAROUSEL_ITEM: Record<Size, string> = {
  small: 'w-[min(40%,8rem)]',
  medium: 'w-[min(70%,13rem)]',
  large: 'w-[min(85%,26rem)]',
};

/** Cross-axis alignment of a column's children. */
export const COLUMN_ALIGN: Record<Alignment, string> = {
  start: 'items-start',
  center: 'items-center',
  end: 'items-end',
};

/** Cross-axis (vertical) alignment of a row's children. */
export const ROW_ALIGN: Record<Alignment, string> = {
  start: 'items-start',
  center: 'items-center',
  end: 'items-end',
};

/** Where a stack places its smaller children. */
export const STACK_ALIGN: Record<Alignment, string> = {
  start: 'justify-start items-start',
  center: 'justify-center items-center',
  end: 'justify-end items-end',
};

export const TEXT_ALIGN: Record<Alignment, string> = {
  start: 'text-start',
  center: 'text-center',
  end: 'text-end',
};

export const GRID_COLUMNS: Record<1 | 2 | 3 | 4, string> = {
  1: 'grid-cols-1',
  2: 'grid-cols-2',
  3: 'grid-cols-3',
  4: 'grid-cols-4',
};

export const LINE_CLAMP: Record<number, string> = {
  1: 'line-clamp-1',
  2: 'line-clamp-2',
  3: 'line-clamp-3',
  4: 'line-clamp-4',
  5: 'line-clamp-5',
  6: 'line-clamp-6',
  7: 'line-clamp-7',
  8: 'line-clamp-8',
  9: 'line-clamp-9',
  10: 'line-clamp-10',
};

/** Secondary text (subtitles, review counts): dimmed content colour, readable on any container. */
export const SECONDARY_TEXT = 'opacity-80';

/** The skeleton block shown while a screen or widget loads. */
export const SKELETON = 'animate-pulse rounded-lg bg-surface-variant';
