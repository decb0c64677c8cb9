import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ClientCapabilities } from './adapt';
import { decodeScreen } from './decode';
import type { Screen } from './generated/types';
import { outlineScreen } from './outline';
import { SDUI_SCHEMA_VERSION } from './source/version';

// Reads the golden fixtures (Node only, so not exported from index.ts; other projects read
// libs/sdui-schema/fixtures the same way, see fixtures/README.md, and the Kotlin specs in
// tools/sdui-android import this file).

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

/** A fixture as the screen core-api would send: a widget fixture becomes a screen of that one widget. */
export const fixtureScreen = (name: string, kind: DocumentKind, document: unknown) =>
  (kind === 'screen'
    ? document
    : {
        type: 'screen',
        id: 'fixture',
        schemaVersion: SDUI_SCHEMA_VERSION,
        title: name,
        widgets: [document],
      }) as Screen;

/** The TypeScript reference outline of a screen as JSON (the Kotlin one must be equal). */
export function typescriptOutline(json: string): string {
  const decoded = decodeScreen(JSON.parse(json));
  if (!decoded.ok) throw new Error(decoded.reason);
  return outlineScreen(decoded.screen);
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
