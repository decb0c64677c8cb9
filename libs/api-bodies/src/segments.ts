import { z } from 'zod';
import { MAX_MEMBERS_PER_PAGE, SEGMENT_ID_PATTERN, USER_ID_PATTERN } from '@hwp/widget-events';
import { userIdSchema } from './product-api';

// product-api's segment bodies (docs/adr/0027-segments.md), one schema per shape (ADR 0024).

/** Segments per page of a product's segment listing. */
const MAX_SEGMENTS_PER_PAGE = 200;
/** Members per page of a segment's member listing. */
export const MAX_MEMBERS_PER_LISTING = 1000;

const productId = z.string().meta({ example: 'deals' });

/** A segment id, in the path. */
export const segmentIdSchema = z
  .string()
  .regex(SEGMENT_ID_PATTERN, 'must start with a-z and hold 1-40 of a-z, 0-9 and "-"')
  .meta({ example: 'annual-plan' });

// A listing's cursor is the last key of its page (a segment id, a user id), opaque to clients.
export const encodeKeyCursor = (key: string) => Buffer.from(key).toString('base64url');
export const keyCursor = (pattern: RegExp) =>
  z
    .string()
    .transform((cursor) => Buffer.from(cursor, 'base64url').toString())
    .refine((key) => pattern.test(key), 'is not a cursor of this listing')
    .optional()
    .meta({ description: 'The `nextCursor` of the previous page.' });
export const nextCursor = z
  .string()
  .nullable()
  .meta({ description: 'Pass as `cursor` for the next page; null on the last page.' });

/** PUT …/segments/{segmentId}: creates the segment, or renames it. */
export const segmentBody = z.object({
  name: z.string().trim().min(1).max(200).meta({ example: 'Users on the annual plan' }),
});

export const segmentAnswer = z.object({
  productId,
  segmentId: segmentIdSchema,
  name: z.string(),
  memberCount: z.number().int().meta({ example: 250_000 }),
  dataVersion: z.number().int().meta({
    example: 26,
    description: 'Grows by one with every membership page and deletion of the segment.',
  }),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

/** GET …/segments: the page. */
export const segmentListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_SEGMENTS_PER_PAGE).default(50),
  cursor: keyCursor(SEGMENT_ID_PATTERN),
});

/** GET …/segments: a page of the product's segments, in id order. */
export const segmentList = z.object({ productId, segments: z.array(segmentAnswer), nextCursor });

const memberIds = z.array(userIdSchema).max(MAX_MEMBERS_PER_PAGE).default([]);

/** POST …/segments/{segmentId}/members: one page of changes, applied in one transaction or not at all. */
export const membersChange = z
  .object({ add: memberIds, remove: memberIds })
  .superRefine(({ add, remove }, context) => {
    if (add.length + remove.length === 0)
      context.addIssue({ code: 'custom', path: ['add'], message: 'add or remove at least one user id' });
    if (add.length + remove.length > MAX_MEMBERS_PER_PAGE)
      context.addIssue({
        code: 'custom',
        path: ['remove'],
        message: `at most ${MAX_MEMBERS_PER_PAGE} user ids a page, add and remove together`,
      });
    const added = new Set(add);
    remove.forEach((userId, i) => {
      if (added.has(userId))
        context.addIssue({ code: 'custom', path: ['remove', i], message: 'is also in add' });
    });
  });

/** What a page of changes, or a whole upload, did. */
export const membersChanged = z.object({
  productId,
  segmentId: segmentIdSchema,
  added: z.number().int().meta({ description: 'Users who were not members and now are.' }),
  removed: z.number().int().meta({ description: 'Users who were members and now are not.' }),
  memberCount: z.number().int(),
  dataVersion: z.number().int().meta({ description: "The segment's version after the change." }),
});

/** POST …/segments/{segmentId}/members/upload: what the text/plain body's ids do, and where to resume. */
export const membersUploadQuery = z.object({
  operation: z
    .enum(['add', 'remove'])
    .meta({ example: 'add', description: 'Whether the uploaded ids join or leave.' }),
  after: z.coerce.number().int().min(0).default(0).meta({
    description:
      'Skip this many lines of the body: the `acceptedThrough` of a failed upload, to resume it there.',
  }),
});

export const membersUploaded = membersChanged.extend({
  acceptedThrough: z.number().int().meta({
    description: 'Lines of the body applied (the skipped ones included): all of them.',
  }),
});

/** GET …/segments/{segmentId}/members: the page. */
export const memberListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_MEMBERS_PER_LISTING).default(100),
  cursor: keyCursor(USER_ID_PATTERN),
});

/** GET …/segments/{segmentId}/members: a page of members, in user id order. */
export const memberList = z.object({
  productId,
  segmentId: segmentIdSchema,
  members: z.array(z.string().meta({ example: 'user-0001' })),
  nextCursor,
});
