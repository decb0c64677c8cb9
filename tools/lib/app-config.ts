import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceRoot } from '@hwp/dev-services';

// What an app's config.ts declares, read from its source (the deployment specs cannot import apps).

const source = (file: string) => readFileSync(join(workspaceRoot(), file), 'utf8');

/** The variables an app's config schema declares: the CONSTANT_CASE keys of its config.ts and service-kit's. */
export function configVariables(app: string): string[] {
  const keys = (file: string) =>
    [...source(file).matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)].flatMap(([, key]) => (key ? [key] : []));
  return [...keys(`apps/${app}/src/config.ts`), ...keys('libs/service-kit/src/config.ts')];
}

/**
 * The secrets an app needs outside demo mode (`envVar.secret()`), each with the variable that may stand
 * for it (`{ demoValue, or }` in its withDemoSecrets call).
 */
export function requiredSecrets(app: string): { name: string; or?: string }[] {
  const config = source(`apps/${app}/src/config.ts`);
  const secrets = [...config.matchAll(/^\s+([A-Z][A-Z0-9_]+): envVar\.secret\(\)/gm)].flatMap(([, name]) =>
    name ? [name] : [],
  );
  return secrets.map((name) => ({
    name,
    or: new RegExp(`${name}: \\{\\s*demoValue: '[^']*',\\s*or: '([A-Z0-9_]+)'`).exec(config)?.[1],
  }));
}
