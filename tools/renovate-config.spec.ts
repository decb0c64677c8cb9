import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workspaceRoot } from '@hwp/dev-services';

// Renovate updates each family of packages pinned together (nx and @nx/*, prisma and @prisma/*, a package
// and its @types) in one pull request, so the family never runs on two versions.
const root = workspaceRoot();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const renovate = JSON.parse(readFileSync(join(root, 'renovate.json'), 'utf8')) as {
  rangeStrategy: string;
  packageRules: { groupName?: string; matchPackageNames: string[] }[];
};
const groups = renovate.packageRules.filter((rule) => rule.groupName);
const names = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });

/** The family of a package: its scope (`@nx/js` → nx), the package a type package types, or its name. */
function family(name: string): string {
  const [scope = name, rest = name] = name.startsWith('@') ? name.slice(1).split('/') : [name];
  return scope === 'types' ? rest : scope;
}

/** Renovate's matchPackageNames, in the two forms this config uses: an exact name or `@scope/**`. */
function matches(pattern: string, name: string): boolean {
  return pattern.endsWith('/**') ? name.startsWith(pattern.slice(0, -2)) : pattern === name;
}

describe('renovate.json', () => {
  it('keeps exact pins', () => {
    expect(renovate.rangeStrategy).toBe('pin');
  });

  it('uses only exact names and @scope/** in matchPackageNames', () => {
    const patterns = renovate.packageRules.flatMap((rule) => rule.matchPackageNames);
    expect(patterns.filter((pattern) => !/^(@[\w.-]+\/\*\*|(@[\w.-]+\/)?[\w.-]+)$/.test(pattern))).toEqual(
      [],
    );
  });

  it('puts every member of each dependency family in the same one group', () => {
    const families = new Map<string, string[]>();
    for (const name of names) families.set(family(name), [...(families.get(family(name)) ?? []), name]);
    const multiMember = [...families.values()].filter((members) => members.length > 1);
    expect(multiMember.length).toBeGreaterThan(5);
    const split = multiMember.flatMap((members) => {
      const groupOf = members.map((name) =>
        groups
          .filter((rule) => rule.matchPackageNames.some((pattern) => matches(pattern, name)))
          .map((rule) => rule.groupName)
          .join(' + '),
      );
      const [first = ''] = groupOf;
      const together = first !== '' && !first.includes(' + ') && new Set(groupOf).size === 1;
      return together ? [] : [members.map((name, i) => `${name} → ${groupOf[i] || 'no group'}`).join(', ')];
    });
    expect(split).toEqual([]);
  });
});
