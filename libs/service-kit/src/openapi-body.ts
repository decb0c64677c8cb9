import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiQuery, ApiResponse, type ApiBodyOptions } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { z } from 'zod';

/**
 * A zod schema as OpenAPI 3.1 (JSON Schema 2020-12): what a request body may be (`input`, before
 * defaults and transforms) or what an answer is (`output`). A shape JSON Schema cannot express throws,
 * so a route's documentation never silently says less than its schema. Refinements (a URL's protocol,
 * no repeated user) are checked by the schema but not described.
 */
export function openApiSchema(schema: z.ZodType, io: 'input' | 'output'): SchemaObject {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io });
  return json as SchemaObject;
}

type BodyDocumentation = Pick<
  Extract<ApiBodyOptions, { schema: unknown }>,
  'description' | 'examples' | 'required'
>;

/** Documents the request body as the zod schema the handler parses it with. */
export const ApiJsonBody = (schema: z.ZodType, documentation: BodyDocumentation = {}) =>
  ApiBody({ ...documentation, schema: openApiSchema(schema, 'input') });

/** Documents a JSON answer as the zod schema its handler's return type is inferred from. */
export const ApiJsonAnswer = (status: number, schema: z.ZodType, description: string) =>
  ApiResponse({ status, description, schema: openApiSchema(schema, 'output') });

export interface QueryParameter {
  name: string;
  required: boolean;
  description?: string;
  schema: SchemaObject;
}

/** The properties of a zod object schema as query parameters: schema, whether required, description. */
export function openApiQuery(schema: z.ZodObject): QueryParameter[] {
  const { properties = {}, required = [] } = openApiSchema(schema, 'input');
  return Object.entries(properties as Record<string, SchemaObject>).map(
    ([name, { description, ...parameter }]) => ({
      name,
      required: required.includes(name),
      ...(description === undefined ? {} : { description }),
      schema: parameter,
    }),
  );
}

/** Documents the query parameters as the zod object schema the handler parses the query with. */
export const ApiJsonQuery = (schema: z.ZodObject) =>
  applyDecorators(...openApiQuery(schema).map((parameter) => ApiQuery(parameter)));
