import { expect } from 'vitest';
import type { z } from 'zod';
import { openApiQuery, openApiSchema } from '@hwp/service-kit';

/**
 * The JSON bodies of one operation: the zod schemas its handler parses the query and the request with,
 * and per 2xx status the zod schema its answer is typed with (or, for a generated SDUI definition, the
 * reference).
 */
export interface OperationBodies {
  query?: z.ZodObject;
  request?: z.ZodType;
  answers?: Record<number, z.ZodType | { $ref: string }>;
}

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: unknown;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

const isZod = (schema: z.ZodType | { $ref: string }): schema is z.ZodType => !('$ref' in schema);

/** Query parameters by name, as the document states them. */
const queryOf = (parameters: Parameter[]) =>
  Object.fromEntries(
    parameters
      .filter((parameter) => parameter.in === 'query')
      .map(({ name, required = false, description, schema }) => [
        name,
        { required, schema, ...(description === undefined ? {} : { description }) },
      ]),
  );

const generatedQuery = (query: z.ZodObject) =>
  Object.fromEntries(openApiQuery(query).map(({ name, ...parameter }) => [name, parameter]));

/**
 * Asserts that the OpenAPI document the app serves describes exactly these query parameters and JSON
 * bodies, keyed `METHOD /path`: each is the JSON Schema of the zod schema named, and no other operation
 * documents a query parameter or a JSON body. A schema written beside the handler's, or a handler whose
 * body is undocumented, fails.
 */
export async function expectOpenApiBodies(appUrl: string, expected: Record<string, OperationBodies>) {
  const document = (await (await fetch(`${appUrl}/docs/openapi.json`)).json()) as {
    paths: Record<string, Record<string, Operation>>;
  };
  const documented: Record<string, { query?: object; request?: unknown; answers?: Record<string, unknown> }> =
    {};
  for (const [path, operations] of Object.entries(document.paths))
    for (const [method, operation] of Object.entries(operations)) {
      const request = operation.requestBody?.content?.['application/json']?.schema;
      const answers = Object.fromEntries(
        Object.entries(operation.responses ?? {}).flatMap(([status, response]) => {
          const schema = response.content?.['application/json']?.schema;
          return status.startsWith('2') && schema !== undefined ? [[status, schema]] : [];
        }),
      );
      const query = queryOf(operation.parameters ?? []);
      if (request === undefined && Object.keys(answers).length === 0 && Object.keys(query).length === 0)
        continue;
      documented[`${method.toUpperCase()} ${path}`] = {
        ...(Object.keys(query).length === 0 ? {} : { query }),
        ...(request === undefined ? {} : { request }),
        ...(Object.keys(answers).length === 0 ? {} : { answers }),
      };
    }
  const generated = Object.fromEntries(
    Object.entries(expected).map(([operation, { query, request, answers }]) => [
      operation,
      {
        ...(query === undefined ? {} : { query: generatedQuery(query) }),
        ...(request === undefined ? {} : { request: openApiSchema(request, 'input') }),
        ...(answers === undefined
          ? {}
          : {
              answers: Object.fromEntries(
                Object.entries(answers).map(([status, schema]) => [
                  status,
                  isZod(schema) ? openApiSchema(schema, 'output') : schema,
                ]),
              ),
            }),
      },
    ]),
  );
  expect(documented).toEqual(generated);
}
