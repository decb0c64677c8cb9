import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SDUI_SCHEMA_VERSION } from '@hwp/sdui-schema';
import { commandLine } from '../lib/command-line';
import {
  ANDROID_JSON,
  KOTLIN_API_VERSION,
  KOTLINC,
  MAVEN_COORDINATES,
  artifactPaths,
  requireKotlinTools,
} from './artifacts';

// `nx run sdui-android-sdk:build`: compiles the SDK with the generated Kotlin of libs/sdui-schema into a jar,
// and writes it with a sources jar and a POM into a local Maven repository under dist/maven, versioned with
// the schema. Takes no options.

const USAGE = `Usage: tsx tools/sdui-android/build-artifacts.ts  (or: npx nx run sdui-android-sdk:build)

Builds dist/maven/${MAVEN_COORDINATES.groupId.replace(/\./g, '/')}/${MAVEN_COORDINATES.artifactId}/<schema version>/:
the SDK jar, its sources jar and its POM.`;

const ROOT = join(__dirname, '../..');
const SOURCE_ROOTS = [
  join(ROOT, 'libs/sdui-schema/kotlin'),
  join(ROOT, 'libs/sdui-android-sdk/src/main/kotlin'),
];

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8', cwd: ROOT });
  if (result.status !== 0)
    throw new Error(
      `${command} failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stderr}`,
    );
}

function pom(version: string): string {
  const { groupId, artifactId } = MAVEN_COORDINATES;
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>${groupId}</groupId>
  <artifactId>${artifactId}</artifactId>
  <version>${version}</version>
  <packaging>jar</packaging>
  <name>Home Widget Platform SDUI client for Android</name>
  <description>The SDUI schema ${version} models and decoder, and HomeClient for core-api (HttpURLConnection and org.json, which Android ships).</description>
  <dependencies>
    <!-- The Kotlin runtime only; org.json is Android's own (on a plain JVM, add org.json). -->
    <dependency>
      <groupId>org.jetbrains.kotlin</groupId>
      <artifactId>kotlin-stdlib</artifactId>
      <version>${KOTLIN_API_VERSION}.0</version>
    </dependency>
  </dependencies>
</project>
`;
}

function metadata(version: string): string {
  const { groupId, artifactId } = MAVEN_COORDINATES;
  return `<?xml version="1.0" encoding="UTF-8"?>
<metadata>
  <groupId>${groupId}</groupId>
  <artifactId>${artifactId}</artifactId>
  <versioning>
    <latest>${version}</latest>
    <release>${version}</release>
    <versions>
      <version>${version}</version>
    </versions>
  </versioning>
</metadata>
`;
}

function main(): void {
  commandLine({ usage: USAGE });
  requireKotlinTools();

  const paths = artifactPaths(ROOT, SDUI_SCHEMA_VERSION);
  rmSync(paths.directory, { recursive: true, force: true });
  mkdirSync(paths.directory, { recursive: true });
  const log = (line: string) => console.log(`sdui-android-sdk: ${line}`);

  log(`compiling the SDK and the generated Kotlin of schema ${SDUI_SCHEMA_VERSION} (kotlinc, ~20 s) ...`);
  const building = `${paths.jar}.tmp.jar`;
  // Java 17 bytecode, and the API and metadata of KOTLIN_API_VERSION so apps on older Kotlin compilers can use it;
  // a module name of its own, so its META-INF/*.kotlin_module cannot clash with an app's "main".
  run(KOTLINC, [
    ...SOURCE_ROOTS,
    '-cp',
    ANDROID_JSON,
    '-jvm-target',
    '17',
    '-language-version',
    KOTLIN_API_VERSION,
    '-api-version',
    KOTLIN_API_VERSION,
    '-Xsuppress-version-warnings',
    '-module-name',
    MAVEN_COORDINATES.artifactId,
    '-d',
    building,
  ]);
  renameSync(building, paths.jar);
  run('jar', ['--create', '--file', paths.sourcesJar, ...SOURCE_ROOTS.flatMap((dir) => ['-C', dir, 'com'])]);
  writeFileSync(paths.pom, pom(SDUI_SCHEMA_VERSION));
  writeFileSync(paths.metadata, metadata(SDUI_SCHEMA_VERSION));
  for (const file of [paths.jar, paths.sourcesJar, paths.pom]) log(`wrote ${relative(ROOT, file)}`);
}

try {
  main();
} catch (error) {
  console.error(`sdui-android-sdk: ${(error as Error).message}`);
  process.exitCode = 1;
}
