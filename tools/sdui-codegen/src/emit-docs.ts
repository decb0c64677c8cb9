import type { Field, FieldType, ObjectDef, SduiModel } from './model';
import { ROOTS } from './model';
import { constraintsOf, GENERATED_NOTICE } from './naming';

// docs/sdui: an index (README.md), one reference page per component, and pages for actions and
// tokens. Examples are the smallest instances found in the valid golden fixtures, so every example
// is known to validate.

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const anchor = (name: string) => name.toLowerCase();

function typeLink(type: FieldType, model: SduiModel): string {
  switch (type.kind) {
    case 'ref': {
      const def = model.defs.get(type.target);
      if (def?.kind === 'enum') return `[${type.target}](tokens.md#${anchor(type.target)})`;
      if (type.target === ROOTS.action) return `[${type.target}](actions.md)`;
      return `[${type.target}](README.md#${anchor(type.target)})`;
    }
    case 'list':
      return `list of ${typeLink(type.items, model)}`;
    case 'map':
      return `map of ${typeLink(type.values, model)}`;
    default:
      return type.kind;
  }
}

function fieldTable(fields: Field[], model: SduiModel): string {
  const rows = fields.map((f) => {
    const notes = [f.description ?? '', ...constraintsOf(f.type).map((c) => `(${c})`)].join(' ').trim();
    return `| \`${f.name}\` | ${typeLink(f.type, model)} | ${f.required ? 'yes' : 'no'} | ${cell(notes)} |`;
  });
  return ['| Field | Type | Required | Description |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** The smallest object with the given `type` in the fixtures. */
function smallestExample(fixtures: [string, unknown][], type: string): [string, string] | undefined {
  let best: [string, string] | undefined;
  const visit = (file: string, value: unknown): void => {
    if (Array.isArray(value)) return value.forEach((item) => visit(file, item));
    if (value === null || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    if (record['type'] === type) {
      const json = JSON.stringify(record, null, 2);
      if (!best || json.length < best[1].length) best = [file, json];
    }
    Object.values(record).forEach((inner) => visit(file, inner));
  };
  fixtures.forEach(([file, document]) => visit(file, document));
  return best;
}

const example = (fixtures: [string, unknown][], tag: string) => {
  const found = smallestExample(fixtures, tag);
  return found
    ? `Example (from \`libs/sdui-schema/fixtures/valid/${found[0]}\`):\n\n\`\`\`json\n${found[1]}\n\`\`\`\n`
    : '';
};

export function emitDocs(model: SduiModel, fixtures: [string, unknown][]): [string, string][] {
  const notice = `<!-- ${GENERATED_NOTICE} -->\n\n`;
  const widgetTypes = new Set(model.widgetTypes);
  const nodePage = (node: ObjectDef): [string, string] => [
    `${node.tag}.md`,
    `${notice}# \`${node.tag}\`\n\n${node.description ?? ''}\n\n` +
      (widgetTypes.has(node.tag as string)
        ? 'Can be a **widget root** (published into a home-screen slot).\n\n'
        : '') +
      `${fieldTable(node.fields, model)}\n\n` +
      (Object.keys(node.dependentRequired).length
        ? Object.entries(node.dependentRequired)
            .map(
              ([when, thens]) =>
                `- When \`${when}\` is set, ${thens.map((t) => `\`${t}\``).join(', ')} is required.\n`,
            )
            .join('') + '\n'
        : '') +
      example(fixtures, node.tag as string) +
      '\n[All components](README.md)\n',
  ];

  const actions =
    `${notice}# Actions\n\nWhat happens when the user taps an interactive node (one with an \`action\`). ` +
    'Every interactive node must carry an `accessibilityLabel`.\n\n' +
    model.actions
      .map(
        (a) =>
          `## \`${a.tag}\`\n\n${a.description ?? ''}\n\n` +
          (a.fields.length ? `${fieldTable(a.fields, model)}\n\n` : 'No fields.\n\n') +
          example(fixtures, a.tag as string),
      )
      .join('\n');

  const tokens =
    `${notice}# Design tokens\n\nStyling is by semantic tokens only: each platform maps them onto its theme, ` +
    'in light and dark mode. There are no raw colours, sizes or CSS in a tree.\n\n' +
    model.enums
      .map(
        (e) => `## ${e.name}\n\n${e.description ?? ''}\n\n${e.values.map((v) => `- \`${v}\``).join('\n')}\n`,
      )
      .join('\n');

  const index =
    `${notice}# SDUI schema ${model.version}\n\n` +
    'The JSON UI tree the platform speaks: a **screen** holds **widgets** (root nodes published by products ' +
    'into home-screen slots), made of **nodes**; interactive nodes carry an **action**. The published JSON ' +
    `Schema is \`libs/sdui-schema/schema/sdui-${model.version}.schema.json\`.\n\n` +
    `## ${ROOTS.screen}\n\n${model.screen.description ?? ''}\n\n${fieldTable(model.screen.fields, model)}\n\n` +
    `## Components\n\nWidget roots: ${model.widgetTypes.map((t) => `[\`${t}\`](${t}.md)`).join(', ')}.\n\n` +
    '| Component | Description |\n| --- | --- |\n' +
    model.nodes.map((n) => `| [\`${n.tag}\`](${n.tag}.md) | ${cell(n.description ?? '')} |`).join('\n') +
    `\n\nSee also [actions](actions.md) and [design tokens](tokens.md).\n\n` +
    '## Clients\n\n' +
    '- [Android](android.md): the Kotlin library (models, decoder, `HomeClient`).\n' +
    '- [Web](web.md): the `@hwp/sdui-schema` npm package (types, validator, decoder, renderer registry).\n' +
    '- [Rendering](rendering.md): the renderer contract generated for both, and the reference outline ' +
    'they are tested against.\n\n' +
    model.unions
      .map((u) => `## ${u.name}\n\n${u.description ?? ''} One of: ${u.variants.join(', ')}.\n`)
      .join('\n') +
    '\n' +
    model.structs
      .map((s) => `## ${s.name}\n\n${s.description ?? ''}\n\n${fieldTable(s.fields, model)}\n`)
      .join('\n') +
    `\n## Limits\n\nBeyond the JSON Schema, every reader enforces:\n\n` +
    Object.entries(model.limits)
      .map(([name, value]) => `- \`${name}\`: ${value}`)
      .join('\n') +
    '\n\nErrors carry a JSON pointer to the offending value (or missing member).\n\n' +
    '## Evolution\n\n' +
    '- A screen states the `schemaVersion` it was written for; readers accept any version with their major.\n' +
    '- **Minor versions are additive only**: new components, new actions, new optional fields, new tokens. ' +
    'Everything that exists is frozen: removing, renaming, narrowing *or widening* a field or limit, or making ' +
    'a field required or optional, needs a new major version, because it would break either released documents ' +
    'or released clients (which validate strictly). `schema/released/` keeps every released schema, and a unit ' +
    'test fails when the current schema is not a pure addition to a released one of the same major.\n' +
    '- Any node may carry a `fallback` node. core-api calls `adaptForClient` with the schema version and ' +
    'component types a client supports: unsupported nodes are replaced by their fallback, or dropped.\n' +
    '- Clients decoding a newer minor version replace nodes they cannot understand (unknown type, unknown ' +
    'action, unknown token in a required field) by their fallback or drop them, and ignore unknown fields ' +
    'and unknown tokens in optional fields.\n';

  return [['README.md', index], ['actions.md', actions], ['tokens.md', tokens], ...model.nodes.map(nodePage)];
}
