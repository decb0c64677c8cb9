import { z } from 'zod';
import {
  MAX_COUNTED_PROPERTIES_PER_EVENT,
  MAX_EVENT_NAMES_PER_PRODUCT_DAY,
  MAX_VALUES_PER_PROPERTY_DAY,
  OVERFLOW,
} from '@hwp/analytics-events';
import { sduiOpenApiRef } from '@hwp/sdui-schema/json-schema';
import { PRODUCT_ID_PATTERN, isAudience } from '@hwp/widget-events';
import { MAX_WIDGETS_PER_PAGE, userIdSchema, widget } from './product-api';

// core-api's studio request and response bodies, each written once: its handlers parse requests with
// these schemas and type their answers with them, its OpenAPI document is generated from them, and the
// web's studio types its calls with them (ADR 0024).
// The event batch is @hwp/analytics-events' eventBatchSchema, shared with the web's /api/events.

const productIds = z.array(z.string()).meta({ example: ['deals', 'subscriptions', 'loyalty'] });

/** PUT /v1/studio/home-layout: the product ids in slot order (the use case checks each). */
export const layoutBody = z.strictObject({ productIds });

/** GET and PUT /v1/studio/home-layout. */
export const homeLayout = z.object({
  productIds,
  updatedAt: z.iso.datetime().nullable().meta({ description: 'Null until an admin first saves a layout.' }),
});

const day = z.iso.date();

/**
 * A UTC day asked for in a query, YYYY-MM-DD. ISO 8601 writes 1 BC as the year 0000, which Postgres's
 * dates do not have: such a day is refused here, not by the database.
 */
export const queryDay = z.iso
  .date('must be a date, YYYY-MM-DD')
  .refine((value) => value >= '0001-01-01', 'must be in the year 1 or later');

/** GET /v1/analytics/products/{productId}: the days (the handler fills in the defaults and bounds). */
export const analyticsQuery = z.object({
  from: queryDay.optional().meta({ description: 'First day, YYYY-MM-DD (default: 29 days before to).' }),
  to: queryDay
    .optional()
    .meta({ description: 'Last day, YYYY-MM-DD (default: today, UTC); at most 366 days.' }),
});

/** What a row is counted under (docs/analytics.md, statsAudience in @hwp/analytics-events). */
const statsAudience = z.string().meta({
  description:
    "generic or personalised; segment:<segmentId> for a segment's widget; experiment:<experimentId>/<variantId> " +
    "for an experiment's variant.",
  example: 'experiment:spring-banner/bold',
});

/** GET /v1/analytics/products/{productId}. */
export const productAnalytics = z.object({
  productId: z.string(),
  from: day,
  to: day,
  stats: z.array(
    z.object({
      day,
      audience: statsAudience,
      dataVersion: z.string(),
      impressions: z.number().int(),
      clicks: z.number().int(),
      ctr: z.number().nullable().meta({ description: 'clicks / impressions; null without impressions.' }),
    }),
  ),
  events: z
    .array(
      z.object({
        day,
        audience: statsAudience,
        dataVersion: z.string(),
        event: z.string().meta({ example: 'add_to_cart' }),
        count: z.number().int(),
      }),
    )
    .meta({
      description:
        "Track actions' events per widget version, day and event name. Beyond " +
        `${MAX_EVENT_NAMES_PER_PRODUCT_DAY} names a product a day, new names count as "${OVERFLOW}" ` +
        '(docs/analytics.md).',
    }),
  properties: z
    .array(
      z.object({
        day,
        event: z.string(),
        property: z.string().meta({ example: 'plan' }),
        value: z.string().meta({ example: 'annual' }),
        count: z.number().int(),
      }),
    )
    .meta({
      description:
        'Track events per day and event name that carried a property value: the first ' +
        `${MAX_COUNTED_PROPERTIES_PER_EVENT} properties of an event in key order, up to ` +
        `${MAX_VALUES_PER_PROPERTY_DAY} values each a day, then "${OVERFLOW}" (docs/analytics.md).`,
    }),
});

/**
 * GET /v1/studio/products/{productId}/ingested-widgets: the audiences to answer for, at most a page of
 * product-api's widget listing.
 */
export const ingestedWidgetsQuery = z.object({
  audiences: z
    .string()
    .transform((list) => list.split(','))
    .pipe(
      z
        .array(z.string().refine(isAudience, 'each must be "generic" or "user:<userId>"'))
        .min(1)
        .max(MAX_WIDGETS_PER_PAGE, `must list at most ${MAX_WIDGETS_PER_PAGE} audiences`),
    )
    .meta({
      description: `Comma-separated "generic" and "user:<userId>", at most ${MAX_WIDGETS_PER_PAGE}.`,
      example: 'generic,user:user-0001',
    }),
});

/** GET /v1/studio/products/{productId}/ingested-widgets. */
export const ingestedWidgetList = z.object({
  productId: z.string(),
  widgets: z.array(
    z.object({
      audience: z.string().meta({ example: 'user:user-0001' }),
      dataVersion: z.number().int(),
      deleted: z.boolean(),
      acceptedAt: z.iso.datetime(),
      ingestedAt: z.iso.datetime(),
    }),
  ),
});

/**
 * POST /v1/studio/preview: a user's whole home screen with a draft widget in its product's slot, published
 * nowhere. The widget is checked against the SDUI schema as a publish is.
 */
export const previewBody = z.strictObject({
  userId: userIdSchema,
  productId: z.string().regex(PRODUCT_ID_PATTERN, 'must be a product id').meta({ example: 'deals' }),
  widget,
  audience: z.enum(['generic', 'personalised']).default('personalised').meta({
    description:
      "Whose draft it is, as the slot's provenance says: the product's generic widget, or the user's own.",
  }),
});

/** POST /v1/studio/preview: a screen as GET /v1/home answers it; the draft's data version is "0". */
export const previewScreen = z.unknown().meta({ allOf: [sduiOpenApiRef('Screen')] });
