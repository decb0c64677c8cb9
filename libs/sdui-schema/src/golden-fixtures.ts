import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// Reads the golden fixtures (Node only, so not exported from index.ts; other projects read
// libs/sdui-schema/fixtures the same way, see fixtures/README.md).

const FIXTURES = join(__dirname, '../fixtures');

export type DocumentKind = 'screen' | 'widget';

export interface ValidFixture {
  name: string;
  kind: DocumentKind;
  document: unknown;
}

/** A document every reader must reject, and where the TypeScript validator reports the error. */
export interface InvalidFixture extends ValidFixture {
  description: string;
  expectedErrorPath: string;
}

/** A document from a newer minor version, and the node ids a client keeps or drops when decoding it. */
export interface ForwardCompatFixture extends ValidFixture {
  description: string;
  keeps: string[];
  drops: string[];
}

function read(folder: string): { name: string; json: Record<string, unknown> }[] {
  const dir = join(FIXTURES, folder);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({
      name: file.replace(/\.json$/, ''),
      json: JSON.parse(readFileSync(join(dir, file), 'utf8')),
    }));
}

export const validFixtures = (): ValidFixture[] =>
  read('valid').map(({ name, json }) => ({
    name,
    kind: json['type'] === 'screen' ? 'screen' : 'widget',
    document: json,
  }));

export const invalidFixtures = (): InvalidFixture[] =>
  read('invalid').map(({ name, json }) => ({ name, ...(json as Omit<InvalidFixture, 'name'>) }));

export const forwardCompatFixtures = (): ForwardCompatFixture[] =>
  read('forward-compat').map(({ name, json }) => ({ name, ...(json as Omit<ForwardCompatFixture, 'name'>) }));

/** Every node id in a document (nodes are the objects with a `type` and an `id`), in document order. */
export function nodeIds(document: unknown): string[] {
  if (Array.isArray(document)) return document.flatMap(nodeIds);
  if (document === null || typeof document !== 'object') return [];
  const record = document as Record<string, unknown>;
  const own = typeof record['type'] === 'string' && typeof record['id'] === 'string' ? [record['id']] : [];
  return [...own, ...Object.values(record).flatMap(nodeIds)];
}
