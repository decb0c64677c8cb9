import { z } from 'zod';
import { MAX_USERS_PER_CALL, userIdSchema } from './product-api';

// The body of the platform's call to a product's registered refresh endpoint (docs/product-refresh.md,
// ADR 0016), written once: the ingester types the calls it sends with it, the sample products' service
// parses the calls it receives with it, and docs/product-refresh.openapi.yaml is generated from it
// (tools/api-docs). The answer has no body here: the platform reads only its status.

/** A batch of users whose personalised widgets the product should publish (or delete). */
export const usersRefresh = z
  .strictObject({
    userIds: z
      .array(userIdSchema)
      .min(1)
      .max(MAX_USERS_PER_CALL)
      .refine((ids) => new Set(ids).size === ids.length, 'must not repeat a user id')
      // The refinement above, stated for the document (JSON Schema cannot be derived from it).
      .meta({ uniqueItems: true, description: `1 to ${MAX_USERS_PER_CALL} distinct user ids.` }),
  })
  .meta({
    description:
      'Users whose personalised widgets the product should publish now, or delete where it has nothing.',
  });

/** The scheduled pull of the product's generic widget (its registered `genericPullSeconds`). */
export const genericPull = z
  .strictObject({ audience: z.literal('generic') })
  .meta({ description: "The product's generic widget, pulled every `genericPullSeconds` it registered." });

export const refreshRequest = z.union([usersRefresh, genericPull], {
  error: 'must be {"userIds": [...]} or {"audience": "generic"}',
});

export type RefreshRequest = z.output<typeof refreshRequest>;
