import { join } from 'node:path';
import { compileKotlin } from './kotlin-driver';
// The lib keeps its fixture and doc-sample readers (Node only) out of its public API, so they are imported
// by path, like the generator reads the schema source (tools/sdui-codegen/src/source.ts).
/* eslint-disable @nx/enforce-module-boundaries */
import { codeSamples } from '../../libs/sdui-schema/src/doc-samples';
export * from '../../libs/sdui-schema/src/golden-fixtures';
/* eslint-enable @nx/enforce-module-boundaries */

// libs/sdui-schema's generated Kotlin as its specs here check it: with the fixture drivers of kotlin-test/
// and the Kotlin samples of docs/sdui/rendering.md, in one jar.

const ROOT = join(__dirname, '../..');

/** The jar of the generated Kotlin, the drivers in kotlin-test/ and the doc samples (each in a package of its own). */
export const compileSchemaKotlin = () =>
  compileKotlin({
    name: 'sdui-schema',
    folders: [join(ROOT, 'libs/sdui-schema/kotlin'), join(__dirname, 'kotlin-test')],
    samples: codeSamples('rendering.md', ['kotlin']).map(
      ({ code }, index) => `package docsamples.rendering_md_${index + 1}\n\n${code}`,
    ),
  });
