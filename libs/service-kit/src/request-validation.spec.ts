import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { ProblemException } from './problem-details.filter';
import { jsonPointer, parseQuery, parseRequest } from './request-validation';

describe('parseRequest', () => {
  const schema = z.object({ userIds: z.array(z.string().min(1)).max(2) });

  it('returns the parsed value', () => {
    expect(parseRequest(schema, { userIds: ['a'] })).toEqual({ userIds: ['a'] });
  });

  it('throws a 400 problem naming every invalid field by JSON pointer', () => {
    try {
      parseRequest(schema, { userIds: ['a', ''] }, '/body');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ProblemException);
      const problem = error as ProblemException;
      expect(problem.getStatus()).toBe(400);
      expect(problem.problem.errors).toEqual([{ pointer: '/body/userIds/1', detail: expect.any(String) }]);
    }
  });

  it('escapes ~ and / in pointer segments', () => {
    expect(jsonPointer(['a/b', 'c~d', 0])).toBe('/a~1b/c~0d/0');
  });
});

describe('parseQuery', () => {
  const schema = z.object({ limit: z.coerce.number().int().max(10), audiences: z.string().min(1) });

  it('throws a 400 problem naming each invalid parameter', () => {
    expect(parseQuery(schema, { limit: '3', audiences: 'generic' })).toEqual({
      limit: 3,
      audiences: 'generic',
    });
    try {
      parseQuery(schema, { limit: '11' });
      expect.unreachable();
    } catch (error) {
      expect((error as ProblemException).getStatus()).toBe(400);
      expect((error as ProblemException).problem.errors).toEqual([
        { parameter: 'limit', detail: expect.any(String) },
        { parameter: 'audiences', detail: expect.any(String) },
      ]);
    }
  });
});
