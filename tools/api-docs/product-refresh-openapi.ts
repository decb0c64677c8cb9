import { join } from 'node:path';
import * as prettier from 'prettier';
import { stringify } from 'yaml';
import { z } from 'zod';
import { genericPull, refreshRequest, usersRefresh, type RefreshRequest } from '@hwp/api-bodies';
import {
  REFRESH_CALL_ID_HEADER,
  REFRESH_REPLAY_WINDOW_SECONDS,
  REFRESH_SIGNATURE_HEADER,
  REFRESH_SIGNATURE_PATTERN,
  REFRESH_TIMESTAMP_HEADER,
  REFRESH_TIMESTAMP_PATTERN,
} from '@hwp/widget-events';

export const WORKSPACE_ROOT = join(__dirname, '../..');
export const DOCUMENT_PATH = 'docs/product-refresh.openapi.yaml';
export const GENERATE_COMMAND = 'npx nx run api-bodies:generate';

// The OpenAPI description of the refresh call a product receives (ADR 0016). Its body schemas are the
// zod schemas the ingester sends and the sample products' service parses (@hwp/api-bodies), its header
// patterns the ones the signature check uses (@hwp/widget-events); the prose around them is here.

const NOTICE =
  ` Generated from libs/api-bodies/src/product-refresh.ts by tools/api-docs; do not edit.\n` +
  ` Run: ${GENERATE_COMMAND}`;

const DESCRIPTION = `The call the platform's refresh worker (the ingester) sends to the refresh endpoint a product has
registered with \`PUT /v1/products/{productId}/refresh-endpoint\` on product-api (docs/product-refresh.md,
docs/adr/0016-product-refresh-contract.md). The product answers as soon as it has taken the request,
then publishes what it has through product-api with its team key, like any team write. The answer's
body is ignored.

Signature: \`${REFRESH_SIGNATURE_HEADER}\` is \`sha256=\` followed by the lowercase hex HMAC-SHA256, keyed with the
secret the product registered, of the string \`<${REFRESH_TIMESTAMP_HEADER}>.<raw request body>\`. Refuse a call
whose signature does not match (compare in constant time) or whose timestamp is more than
${REFRESH_REPLAY_WINDOW_SECONDS} seconds from your clock.

Timeouts and retries: the platform waits \`REFRESH_TIMEOUT_MS\` (2 s by default) for the whole answer. A
5xx, a timeout, a connection error or an answer that is not HTTP is retried after 100–200 ms, then
200–400 ms (\`REFRESH_RETRIES\`, \`REFRESH_BACKOFF_MS\`, jittered), and the batch again later by its job's
attempts. A 4xx or a redirect is a refusal and is not retried.
`;

/** Each body example is parsed with the schema, so the document never shows a body the receiver refuses. */
const EXAMPLES: Record<string, RefreshRequest> = {
  users: { userIds: ['user-0001', 'user-0002'] },
  generic: { audience: 'generic' },
};

/** The request body schemas as OpenAPI 3.1 components, each union member by reference. */
function bodySchemas(): Record<string, unknown> {
  const registry = z.registry<{ id: string }>();
  registry.add(usersRefresh, { id: 'UsersRefresh' });
  registry.add(genericPull, { id: 'GenericPull' });
  registry.add(refreshRequest, { id: 'RefreshRequest' });
  const { schemas } = z.toJSONSchema(registry, { io: 'input', uri: (id) => `#/components/schemas/${id}` });
  return Object.fromEntries(
    Object.entries(schemas).map(([id, { $schema: _dialect, $id: _id, ...schema }]) => [id, schema]),
  );
}

const header = (name: string, description: string, schema: Record<string, unknown>) => ({
  name,
  in: 'header',
  required: true,
  description,
  schema: { type: 'string', ...schema },
});

export function productRefreshDocument() {
  for (const example of Object.values(EXAMPLES)) refreshRequest.parse(example);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Home Widget Platform — the refresh call a product receives',
      version: '1.0.0',
      description: DESCRIPTION,
    },
    servers: [
      {
        url: '{registeredUrl}',
        description: 'The URL the product registered; the call is sent to it exactly, with no path added.',
        variables: { registeredUrl: { default: 'https://deals.internal.example/hwp/refresh' } },
      },
    ],
    paths: {
      '/': {
        post: {
          operationId: 'refresh',
          summary: "Publish these users' widgets, or the product's generic widget",
          security: [{ hwpSignature: [] }],
          parameters: [
            header(REFRESH_TIMESTAMP_HEADER, 'Unix time in seconds when the call was signed.', {
              pattern: REFRESH_TIMESTAMP_PATTERN.source,
              example: '1796572800',
            }),
            header(
              REFRESH_SIGNATURE_HEADER,
              `HMAC-SHA256 of \`<${REFRESH_TIMESTAMP_HEADER}>.<raw body>\` keyed with the registered secret.`,
              {
                pattern: REFRESH_SIGNATURE_PATTERN.source,
                example: 'sha256=5d41402abc4b2a76b9719d911017c592...',
              },
            ),
            header(
              REFRESH_CALL_ID_HEADER,
              'Names this request; the same on its retries (`user-refresh:<job>:<offset>` or ' +
                '`generic-pull:<job>`), so a product may drop a repeat. Publishing twice is harmless: the ' +
                'content stays, its version grows.',
              { example: 'user-refresh:42:0' },
            ),
          ],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { $ref: '#/components/schemas/RefreshRequest' },
                examples: Object.fromEntries(
                  Object.entries(EXAMPLES).map(([name, value]) => [name, { value }]),
                ),
              },
            },
          },
          responses: {
            '2XX': {
              description:
                'Taken. The product publishes through product-api (personalised widgets with ' +
                '`POST /v1/products/{productId}/widgets/campaigns` or per user; a user it has nothing for ' +
                'with `DELETE /v1/products/{productId}/widgets/users/{userId}`; the generic widget with ' +
                '`PUT /v1/products/{productId}/widgets/generic`).',
            },
            '4XX': {
              description:
                'Refused (bad signature, unknown product, a body it will not take). Not retried; the users ' +
                'count as answered by this product.',
            },
            '5XX': { description: "Unavailable. Retried with back-off, then by the batch's next attempt." },
          },
        },
      },
    },
    components: {
      securitySchemes: {
        hwpSignature: {
          type: 'apiKey',
          in: 'header',
          name: REFRESH_SIGNATURE_HEADER,
          description: 'See the description of this document.',
        },
      },
      schemas: bodySchemas(),
    },
  };
}

/** The document's text, as committed: YAML with the generated notice, formatted by Prettier. */
export async function productRefreshDocumentText(): Promise<string> {
  const text = `#${NOTICE.replace(/\n/g, '\n#')}\n${stringify(productRefreshDocument(), { lineWidth: 108 })}`;
  const options = await prettier.resolveConfig(join(WORKSPACE_ROOT, DOCUMENT_PATH));
  return prettier.format(text, { ...options, filepath: DOCUMENT_PATH });
}
