import { z } from 'zod';
import { TOTAL_BASIS_POINTS } from '@hwp/experiments';
import { SEGMENT_ID_PATTERN } from '@hwp/widget-events';
import { queryDay } from './core-api';
import { widget } from './product-api';
import { keyCursor, nextCursor } from './segments';

// product-api's experiment bodies (docs/adr/0029-experiments.md), one schema per shape (ADR 0024).

/** Experiments per page of a product's listing. */
const MAX_EXPERIMENTS_PER_PAGE = 200;
/** Variants of one experiment: A/B/n, with n small enough to reach significance. */
const MAX_VARIANTS = 10;
/** Experiment and variant ids are as narrow as segment ids: `<productId>/<experimentId>` needs no escaping. */
const ID_PATTERN = SEGMENT_ID_PATTERN;
const ID_RULE = 'must start with a-z and hold 1-40 of a-z, 0-9 and "-"';

const productId = z.string().meta({ example: 'deals' });

/** An experiment id, in the path. */
export const experimentIdSchema = z.string().regex(ID_PATTERN, ID_RULE).meta({ example: 'spring-offer' });
/** A variant id, in a definition and in the path of "publish the winner". */
export const variantIdSchema = z.string().regex(ID_PATTERN, ID_RULE).meta({ example: 'bold' });

export const experimentStates = ['draft', 'running', 'stopped'] as const;

/** Who takes part: every user of the product's slot, or the members of one of its segments. */
const audience = z
  .union([z.literal('everyone'), z.templateLiteral(['segment:', z.string().regex(ID_PATTERN)])])
  .meta({ example: 'segment:annual-plan', description: '"everyone" or "segment:<segmentId>".' });

const variant = z.object({
  variantId: variantIdSchema,
  basisPoints: z
    .number()
    .int()
    .min(0)
    .max(TOTAL_BASIS_POINTS)
    .meta({ example: 5000, description: 'Share of the audience in basis points: 10,000 is everyone.' }),
  widget,
});

/** PUT …/experiments/{experimentId}: defines the experiment, or moves it on (draft → running → stopped). */
export const experimentBody = z.object({
  name: z.string().trim().min(1).max(200).meta({ example: 'Spring offer: bold or quiet card' }),
  audience,
  variants: z
    .array(variant)
    .min(2, 'an experiment needs at least two variants')
    .max(MAX_VARIANTS)
    .superRefine((variants, context) => {
      const total = variants.reduce((sum, { basisPoints }) => sum + basisPoints, 0);
      if (total !== TOTAL_BASIS_POINTS)
        context.addIssue({
          code: 'custom',
          message: `the split adds up to ${total} basis points; it must add up to ${TOTAL_BASIS_POINTS} (100 %)`,
        });
      const seen = new Set<string>();
      variants.forEach(({ variantId }, i) => {
        if (seen.has(variantId))
          context.addIssue({ code: 'custom', path: [i, 'variantId'], message: 'repeats a variant id' });
        seen.add(variantId);
      });
    })
    .meta({ description: 'Two or more, in order; the first is the control the others are tested against.' }),
  state: z.enum(experimentStates).default('draft').meta({
    description:
      'draft (saved, not shown), running (users are assigned and see their variant), stopped (over; final).',
  }),
});

export const experimentAnswer = z.object({
  productId,
  experimentId: experimentIdSchema,
  name: z.string(),
  audience: z.string().meta({ example: 'everyone' }),
  variants: z.array(variant),
  state: z.enum(experimentStates),
  dataVersion: z.number().int().meta({ description: 'Grows by one with every accepted change.' }),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  stoppedAt: z.iso.datetime().nullable(),
});

/** GET …/experiments: the page. */
export const experimentListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_EXPERIMENTS_PER_PAGE).default(50),
  cursor: keyCursor(ID_PATTERN),
});

/** GET …/experiments: a page of the product's experiments, in id order. */
export const experimentList = z.object({ productId, experiments: z.array(experimentAnswer), nextCursor });

/**
 * GET /v1/studio/products/{productId}/experiments/{experimentId}/result (core-api): what the studio knows
 * from product-api and core-api does not (it never reads the product database).
 */
export const experimentResultQuery = z.object({
  variants: z
    .string()
    .transform((list) => list.split(','))
    .pipe(
      z
        .array(variantIdSchema)
        .min(2, 'an experiment has at least two variants')
        .max(MAX_VARIANTS)
        .refine((ids) => new Set(ids).size === ids.length, 'repeats a variant id'),
    )
    .meta({
      description: 'The variant ids, comma-separated, in the experiment’s order: the first is the control.',
      example: 'control,bold',
    }),
  from: queryDay.meta({
    description: 'The day the experiment started (UTC), YYYY-MM-DD.',
    example: '2026-12-01',
  }),
  to: queryDay
    .optional()
    .meta({ description: 'The last day counted: the day it stopped (default: today, UTC).' }),
});

const rate = z.number().min(0).max(1);

/** The result page's figures: per variant, its counts, CTR, 95 % interval and test against the control. */
export const experimentResultAnswer = z.object({
  productId,
  experimentId: experimentIdSchema,
  from: z.iso.date(),
  to: z.iso.date(),
  variants: z.array(
    z.object({
      variantId: variantIdSchema,
      control: z.boolean().meta({ description: 'The variant the others are tested against (the first).' }),
      impressions: z.number().int(),
      clicks: z.number().int(),
      ctr: rate.nullable().meta({ description: 'clicks / impressions; null without impressions.' }),
      interval: z
        .object({ low: rate, high: rate })
        .nullable()
        .meta({ description: 'The CTR’s 95 % Wilson score interval; null without impressions.' }),
      againstControl: z
        .object({
          z: z.number().meta({ description: 'Positive when the variant’s CTR is above the control’s.' }),
          pValue: rate.meta({ description: 'Two-sided p-value of the two-proportion z-test (pooled).' }),
        })
        .nullable()
        .meta({
          description:
            'Null for the control, and while the test is undefined (no impressions on either side, or no ' +
            'variance: nobody clicked, or everyone did).',
        }),
    }),
  ),
});
