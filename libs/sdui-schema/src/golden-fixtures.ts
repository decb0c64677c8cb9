import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ClientCapabilities } from './adapt';

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

/** A client the cross-platform tests render every fixture for; no capabilities means no headers. */
export interface ClientProfile {
  name: string;
  capabilities: ClientCapabilities | null;
}

/** fixtures/client-profiles.json, and a client of each released schema version announcing its node types. */
export function clientProfiles(): ClientProfile[] {
  const listed = JSON.parse(readFileSync(join(FIXTURES, 'client-profiles.json'), 'utf8')) as {
    profiles: ClientProfile[];
  };
  const releasedDir = join(FIXTURES, '../schema/released');
  const released = readdirSync(releasedDir)
    .sort()
    .map((file) => {
      const schema = JSON.parse(readFileSync(join(releasedDir, file), 'utf8')) as ReleasedSchema;
      const version = /^sdui-(.+)\.schema\.json$/.exec(file)?.[1] ?? file;
      const supportedTypes = schema.$defs.SduiNode.oneOf.map(
        ({ $ref }) => schema.$defs[$ref.replace('#/$defs/', '')]?.properties?.type?.const ?? $ref,
      );
      return { name: `released-${version}`, capabilities: { schemaVersion: version, supportedTypes } };
    });
  return [...listed.profiles, ...released];
}

interface ReleasedSchema {
  $defs: { SduiNode: { oneOf: { $ref: string }[] } } & {
    [name: string]: { properties?: { type?: { const?: string } } } | undefined;
  };
}
