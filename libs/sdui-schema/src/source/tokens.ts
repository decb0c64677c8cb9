import { z } from 'zod';

// Semantic design tokens: each platform maps them onto its own theme (light and dark), so a tree
// never carries raw colours, sizes or CSS. Token values are kebab-case words.

export const ColorRole = z
  .enum([
    'primary',
    'on-primary',
    'secondary',
    'on-secondary',
    'surface',
    'on-surface',
    'surface-variant',
    'on-surface-variant',
    'accent',
    'on-accent',
    'positive',
    'warning',
    'critical',
    'info',
  ])
  .meta({
    id: 'ColorRole',
    description: 'A colour role from the theme; `on-x` is the content colour to use on an `x` background.',
  });

export const TextStyle = z
  .enum(['display', 'headline', 'title', 'subtitle', 'body', 'body-strong', 'label', 'caption'])
  .meta({
    id: 'TextStyle',
    description: 'A text style from the type scale (font, size, weight, line height).',
  });

export const Spacing = z
  .enum(['none', 'xxs', 'xs', 'sm', 'md', 'lg', 'xl', 'xxl'])
  .meta({ id: 'Spacing', description: 'A step on the spacing scale.' });

export const CornerRadius = z.enum(['none', 'sm', 'md', 'lg', 'full']).meta({
  id: 'CornerRadius',
  description: 'A step on the corner radius scale; `full` makes a pill or circle.',
});

export const Emphasis = z.enum(['low', 'medium', 'high']).meta({
  id: 'Emphasis',
  description: 'How much a control stands out: high is filled, medium tonal, low text only.',
});

export const Tone = z.enum(['neutral', 'info', 'positive', 'warning', 'critical', 'promo']).meta({
  id: 'Tone',
  description: 'The meaning of a status element, mapped to a colour pair by the theme.',
});

export const Alignment = z
  .enum(['start', 'center', 'end'])
  .meta({ id: 'Alignment', description: 'Alignment along the cross axis, following the reading direction.' });

export const Size = z
  .enum(['small', 'medium', 'large'])
  .meta({ id: 'Size', description: 'A relative size, resolved by each platform.' });

export const AspectRatio = z.enum(['square', 'portrait', 'landscape', 'wide', 'ultra-wide']).meta({
  id: 'AspectRatio',
  description: 'Width to height: square 1:1, portrait 3:4, landscape 4:3, wide 16:9, ultra-wide 21:9.',
});

export const IconName = z
  .enum([
    'arrow-right',
    'chevron-right',
    'close',
    'check',
    'star',
    'heart',
    'cart',
    'gift',
    'clock',
    'bell',
    'tag',
    'info',
    'location',
    'search',
    'user',
    'home',
    'ticket',
    'percent',
  ])
  .meta({ id: 'IconName', description: 'An icon from the shared icon set.' });

export const Presentation = z
  .enum(['sheet', 'dialog'])
  .meta({ id: 'Presentation', description: 'How an embedded tree is shown over the screen.' });

export const Audience = z
  .enum(['personalised', 'generic'])
  .meta({ id: 'Audience', description: 'Whether a widget was built for this user or for everyone.' });
