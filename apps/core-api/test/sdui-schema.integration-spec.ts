import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RELEASED_SDUI_JSON_SCHEMAS, SDUI_JSON_SCHEMA } from '@hwp/sdui-schema/json-schema';
import { startApp, useTestDatabase, useTestRedis, type AppProcess } from '@hwp/testing';

// One schema in every description: core-api serves each released JSON Schema at the path of its $id,
// and its OpenAPI describes the home screen with the generated definitions.

describe('core-api and the SDUI JSON Schema', () => {
  let app: AppProcess;

  beforeAll(async () => {
    app = await startApp('core-api', {
      DATABASE_URL: await useTestDatabase('core'),
      CACHE_REDIS_URL: await useTestRedis('cache'),
      REDIS_URL: await useTestRedis('durable'),
    });
  });
  afterAll(() => app.stop());

  it.each(Object.entries(RELEASED_SDUI_JSON_SCHEMAS))(
    'serves released schema %s at the path of its $id',
    async (_version, schema) => {
      const response = await fetch(`${app.url}${new URL(schema.$id).pathname}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('application/schema+json');
      expect(response.headers.get('cache-control')).toContain('immutable');
      expect(await response.json()).toEqual(schema);
    },
  );

  it('answers 404 problem+json for a schema that was never released', async () => {
    const response = await fetch(`${app.url}/sdui/sdui-0.9.0.schema.json`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });

  it('describes GET /v1/home with the generated Screen definition', async () => {
    const openapi = (await (await fetch(`${app.url}/docs/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, { get: { responses: Record<string, { content?: Record<string, unknown> }> } }>;
      components: { schemas: Record<string, { description?: string }> };
    };
    expect(openapi.openapi).toBe('3.1.0');
    expect(openapi.paths['/v1/home']?.get.responses['200']?.content?.['application/json']).toEqual({
      schema: { $ref: '#/components/schemas/Screen' },
    });
    for (const [name, definition] of Object.entries(SDUI_JSON_SCHEMA.$defs)) {
      const { description: _description, ...component } = openapi.components.schemas[name] ?? {};
      const { description: _original, ...generated } = definition as { description?: string };
      expect(JSON.stringify(component), name).toBe(
        JSON.stringify(generated).replaceAll('"#/$defs/', '"#/components/schemas/'),
      );
    }
  });
});
