import { z } from 'zod';
import { sduiOpenApiRef } from '@hwp/sdui-schema/json-schema';
import { USER_ID_PATTERN, isAudience, type Audience } from '@hwp/widget-events';

// product-api's request and response bodies, each written once: its handlers parse requests with these
// schemas and type their answers with them, its OpenAPI document is generated from them, and the web's
// studio types its calls with them (ADR 0024).

export const MAX_USERS_PER_CALL = 1000;
/** Widgets per page of a product's listing (and so audiences per ingested-widgets question). */
export const MAX_WIDGETS_PER_PAGE = 200;
const DEFAULT_PAGE_SIZE = 50;
/** Bounds of a registration; the contract (docs/product-refresh.md) states the same. */
const MIN_SECRET_LENGTH = 32;
const MIN_GENERIC_PULL_SECONDS = 1;
const MAX_GENERIC_PULL_SECONDS = 86_400;

/**
 * A widget: any JSON here; the SDUI validator (`checkWidget`) checks it and locates each error. The
 * document points at the generated Widget definition.
 */
export const widget = z.unknown().meta({ allOf: [sduiOpenApiRef('Widget')] });

/** A user id, in a campaign entry and in the path of a personalised widget. */
export const userIdSchema = z
  .string()
  .regex(USER_ID_PATTERN, 'must be 1-64 letters, digits, ".", "_" or "-"')
  .meta({ example: 'user-0001' });

const audience = z
  .string()
  .meta({ example: 'user:user-0001', description: '"generic", "user:<userId>" or "segment:<segmentId>"' });
const productId = z.string().meta({ example: 'deals' });

/** PUT …/draft: a widget saved without publishing it. */
export const widgetBody = z.object({ widget });

/** A bound of a version's window: an ISO 8601 UTC date-time, read as epoch ms. */
const windowBound = (description: string, example: string) =>
  z.iso
    .datetime()
    .transform((text) => Date.parse(text))
    // Epoch ms are never negative in a schedule (checkSlotContent).
    .refine((time) => time >= 0, 'must be 1970-01-01 or later')
    .optional()
    .meta({ description, example });

/**
 * When a published version is shown (docs/adr/0030-campaigns-in-the-read-path.md); absent: always. Outside
 * it the slot shows the previous version still in its window, or falls back a level.
 */
const activeWindow = {
  activeFrom: windowBound('Shown from this time (inclusive, UTC); absent: at once.', '2026-12-11T18:00:00Z'),
  activeUntil: windowBound(
    'Shown until this time (exclusive, UTC), which must be after activeFrom and not past; absent: for ever.',
    '2026-12-13T23:00:00Z',
  ),
};

/** PUT …/widgets/generic, …/widgets/users/{userId} and …/widgets/segments/{segmentId}. */
export const publishBody = z.object({ widget, ...activeWindow });

/** POST …/history/{dataVersion}/rollback: the window of the new version (absent: always), or no body. */
export const rollbackBody = z.object(activeWindow);

/** POST …/widgets/campaigns: all or nothing. */
export const campaignBody = z.object({
  widgets: z
    .array(z.object({ userId: userIdSchema, widget }))
    .min(1)
    .max(MAX_USERS_PER_CALL)
    .refine(
      (entries) => new Set(entries.map((e) => e.userId)).size === entries.length,
      'must not repeat a user id',
    ),
});

export const acceptedWidget = z.object({
  productId,
  audience,
  dataVersion: z.number().int().meta({
    example: 3,
    description: 'Grows by one with every accepted write of this product and audience.',
  }),
});

export const acceptedBatch = z.object({ productId, accepted: z.array(acceptedWidget) });

// The cursor is the last audience of a page, opaque to clients.
export const encodeCursor = (audience: Audience) => Buffer.from(audience).toString('base64url');
const decodeCursor = (cursor: string) => Buffer.from(cursor, 'base64url').toString();

const pageLimit = z.coerce.number().int().min(1).max(MAX_WIDGETS_PER_PAGE).default(DEFAULT_PAGE_SIZE);
const nextCursor = z
  .string()
  .nullable()
  .meta({ description: 'Pass as `cursor` for the next page; null on the last page.' });

/** GET …/widgets: which of the product's widgets, and the page. */
export const widgetListQuery = z.object({
  audience: z.enum(['generic', 'user', 'segment']).optional(),
  limit: pageLimit,
  cursor: z
    .string()
    .transform(decodeCursor)
    .refine(isAudience, 'is not a cursor of this listing')
    .optional()
    .meta({ description: 'The `nextCursor` of the previous page.' }),
});

/** GET …/widgets: a page of the product's current widgets. */
export const widgetList = z.object({
  productId,
  widgets: z.array(
    z.object({
      audience,
      dataVersion: z.number().int().meta({ example: 3 }),
      updatedAt: z.iso.datetime(),
      content: widget,
    }),
  ),
  nextCursor,
});

// A history or audit cursor is the last data version or record id of a page, opaque to clients.
export const encodeNumberCursor = (key: number) => Buffer.from(String(key)).toString('base64url');
const numberCursor = z
  .string()
  .transform(decodeCursor)
  .refine((key) => /^[1-9]\d{0,15}$/.test(key), 'is not a cursor of this listing')
  .transform(Number)
  .optional()
  .meta({ description: 'The `nextCursor` of the previous page.' });

/** A data version in a path: the version a rollback publishes again (decimal digits, as answered). */
export const dataVersionSchema = z
  .string()
  .regex(/^[1-9]\d{0,14}$/, 'must be a data version: a whole number from 1')
  .transform(Number);

/** Who made a change: a team API key (its id) or a studio session (its subject: the team id). */
const actor = z.object({
  kind: z.enum(['key', 'studio']),
  id: z
    .string()
    .meta({ example: 'key-deals-1', description: 'The API key id, or the studio session subject.' }),
});

/** GET …/history: the page. */
export const widgetHistoryQuery = z.object({ limit: pageLimit, cursor: numberCursor });

/** GET …/history: a page of one widget's accepted versions, newest first. */
export const widgetHistory = z.object({
  productId,
  audience,
  versions: z.array(
    z.object({
      dataVersion: z.number().int().meta({ example: 3 }),
      widget: widget.nullable().meta({ description: 'The widget of this version; null: a deletion.' }),
      activeFrom: z.iso
        .datetime()
        .nullable()
        .meta({ description: 'Shown from this time (inclusive); null: since it was accepted.' }),
      activeUntil: z.iso
        .datetime()
        .nullable()
        .meta({ description: 'Shown until this time (exclusive); null: for ever.' }),
      actor,
      acceptedAt: z.iso.datetime(),
    }),
  ),
  nextCursor,
});

/** PUT/GET …/draft: a saved, unpublished widget. */
export const savedDraft = z.object({ productId, audience, widget, actor, savedAt: z.iso.datetime() });

const auditAction = z.enum([
  'publish',
  'delete',
  'campaign',
  'rollback',
  'save-draft',
  'register-refresh-endpoint',
  'define-experiment',
  'start-experiment',
  'stop-experiment',
]);

/** GET /v1/audit: whose records, and the page. */
export const auditQuery = z.object({
  productId: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'Only this product; absent: all you may read.' }),
  limit: pageLimit,
  cursor: numberCursor,
});

/** GET /v1/audit: a page of the append-only audit log, newest first. */
export const auditLog = z.object({
  records: z.array(
    z.object({
      id: z.number().int(),
      at: z.iso.datetime(),
      teamId: z
        .string()
        .meta({ example: 'team-deals', description: 'The team, or "platform" for an admin.' }),
      actor,
      action: auditAction,
      productId,
      audience: audience.nullable(),
      dataVersion: z.number().int().nullable(),
      requestId: z.string(),
    }),
  ),
  nextCursor,
});

/** POST /v1/studio/session. */
export const studioSession = z.object({
  token: z
    .string()
    .meta({ description: 'A studio session token: send it as `Authorization: Bearer <token>`.' }),
  teamId: z.string().meta({ example: 'team-deals', description: 'The team id, or "platform" for an admin.' }),
  productIds: z
    .array(z.string())
    .meta({ example: ['deals'], description: 'The products the session covers (all, for an admin).' }),
  role: z.enum(['team', 'admin']),
  expiresAt: z.iso.datetime(),
});

const refreshUrl = z
  .string()
  .max(2048)
  .refine((value) => {
    try {
      return ['http:', 'https:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, 'must be an http(s) URL')
  .meta({ example: 'https://deals.internal.example/hwp/refresh', description: 'http(s) URL' });

const genericPullSeconds = z
  .number()
  .int()
  .min(MIN_GENERIC_PULL_SECONDS)
  .max(MAX_GENERIC_PULL_SECONDS)
  .nullable()
  .meta({
    example: 300,
    description: 'Pull the generic widget this often (seconds); null or absent: never.',
  });

/** PUT …/refresh-endpoint. */
export const endpointRegistration = z.object({
  url: refreshUrl,
  secret: z
    .string()
    .min(MIN_SECRET_LENGTH)
    .max(256)
    .meta({ description: 'HMAC-SHA256 key the platform signs its calls with. Write-only: never answered.' }),
  genericPullSeconds: genericPullSeconds.default(null),
});

export const registeredEndpoint = z.object({
  productId,
  url: z.string().meta({ example: 'https://deals.internal.example/hwp/refresh' }),
  genericPullSeconds,
  updatedAt: z.iso.datetime(),
});

/** GET /v1/platform/refresh-endpoints: every registration, secrets included (the refresh worker's). */
export const platformRefreshEndpoints = z.object({
  endpoints: z.array(
    z.object({ productId, url: z.string(), secret: z.string(), genericPullSeconds: genericPullSeconds }),
  ),
});
