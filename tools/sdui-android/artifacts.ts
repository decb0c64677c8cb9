import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where the SDK's artifacts are built and what they need; shared by the build and the tests. */

export const MAVEN_COORDINATES = { groupId: 'com.homewidgets', artifactId: 'sdui-android' } as const;

/** The Kotlin language and API version the jar is compiled for (its metadata), and its stdlib dependency. */
export const KOTLIN_API_VERSION = '2.0';

const ROOT = join(__dirname, '../..');
export const KOTLIN_HOME = join(ROOT, 'node_modules/kotlin-compiler');
export const KOTLINC = join(KOTLIN_HOME, 'bin/kotlinc');
export const KOTLIN_STDLIB = join(KOTLIN_HOME, 'lib/kotlin-stdlib.jar');
/** Android's org.json, from Debian's libandroid-json-java. */
export const ANDROID_JSON = '/usr/share/java/com.android.json.jar';

/** The local Maven repository, and the files of one version in it. */
export function artifactPaths(root: string, version: string) {
  const { groupId, artifactId } = MAVEN_COORDINATES;
  const repository = join(root, 'dist/maven');
  const artifact = join(repository, ...groupId.split('.'), artifactId);
  const directory = join(artifact, version);
  const file = (suffix: string) => join(directory, `${artifactId}-${version}${suffix}`);
  return {
    repository,
    directory,
    jar: file('.jar'),
    sourcesJar: file('-sources.jar'),
    pom: file('.pom'),
    metadata: join(artifact, 'maven-metadata.xml'),
  };
}

/** Throws with the set-up step to take when kotlinc or Android's org.json is missing. */
export function requireKotlinTools(): void {
  const tools: [path: string, hint: string][] = [
    [KOTLINC, 'npm ci installs kotlin-compiler'],
    [ANDROID_JSON, 'apt-get install -y libandroid-json-java'],
  ];
  for (const [path, hint] of tools) if (!existsSync(path)) throw new Error(`${path} is missing (${hint})`);
}
