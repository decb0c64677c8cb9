import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openApiQuery, openApiSchema } from './openapi-body';

describe('openApiSchema', () => {
  const body = z.object({ limit: z.number().int().max(10).default(5), at: z.iso.date() });

  it('documents a request before its defaults (optional) and an answer after them (required)', () => {
    expect(openApiSchema(body, 'input')).toMatchObject({ required: ['at'] });
    expect(openApiSchema(body, 'output')).toMatchObject({ required: ['limit', 'at'] });
    expect(openApiSchema(body, 'input')).not.toHaveProperty('$schema');
  });

  it('throws on a shape JSON Schema cannot state, instead of documenting less', () => {
    expect(() => openApiSchema(z.object({ at: z.date() }), 'input')).toThrow();
  });
});

describe('openApiQuery', () => {
  it('lists each property as a parameter with its description lifted out of the schema', () => {
    const query = z.object({
      audiences: z.string().meta({ description: 'Comma-separated.', example: 'generic' }),
      limit: z.coerce.number().int().optional(),
    });
    expect(openApiQuery(query)).toEqual([
      {
        name: 'audiences',
        required: true,
        description: 'Comma-separated.',
        schema: { type: 'string', example: 'generic' },
      },
      {
        name: 'limit',
        required: false,
        schema: { type: 'integer', minimum: expect.any(Number), maximum: expect.any(Number) },
      },
    ]);
  });
});
