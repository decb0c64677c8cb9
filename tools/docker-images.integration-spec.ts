// The images of docker/compose.yml, checked without a Docker engine: after the build (`npm run build`),
// every file a Dockerfile copies exists, and each image's last stage, put together in a temporary folder
// the way its COPY and RUN lines say, starts and answers its health check with nothing but what it copied
// and installed (no node_modules of this checkout above it).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { Copy as CopyInstruction, DockerfileParser } from 'dockerfile-ast';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePort, waitFor, workspaceRoot } from '@hwp/dev-services';

const root = workspaceRoot();

interface Copy {
  /** The build stage copied from; none for the build context. */
  from?: string;
  sources: string[];
  /** Absolute in the image. */
  dest: string;
  destIsFolder: boolean;
}

type Step = { copy: Copy } | { run: string };

interface Stage {
  name?: string;
  workdir: string;
  /** Where `COPY . .` put the build context in this stage (or in the stage it starts from). */
  context?: string;
  env: Record<string, string>;
  steps: Step[];
  cmd: string[];
}

/** The stages of a Dockerfile, with `$ARG` / `${ARG}` replaced by `args`. */
function readDockerfile(file: string, args: Record<string, string>): Stage[] {
  const expand = (text: string) =>
    text.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => args[name] ?? whole);
  const stages: Stage[] = [];
  for (const instruction of DockerfileParser.parse(readFileSync(file, 'utf8')).getInstructions()) {
    const words = instruction.getArguments().map((argument) => expand(argument.getValue()));
    const keyword = instruction.getKeyword();
    if (keyword === 'FROM') {
      const base = stages.find((stage) => stage.name === words[0]);
      stages.push({
        name: words[2],
        workdir: base?.workdir ?? '/',
        context: base?.context,
        env: { ...base?.env },
        steps: [],
        cmd: base?.cmd ?? [],
      });
      continue;
    }
    const stage = stages.at(-1)!;
    if (keyword === 'WORKDIR') stage.workdir = posix.resolve(stage.workdir, words[0]!);
    if (keyword === 'ENV')
      for (const pair of words)
        stage.env[pair.slice(0, pair.indexOf('='))] = pair.slice(pair.indexOf('=') + 1);
    if (keyword === 'RUN') stage.steps.push({ run: instruction.getArgumentsContent() ?? '' });
    if (keyword === 'CMD') stage.cmd = JSON.parse(instruction.getArgumentsContent() ?? '[]') as string[];
    if (instruction instanceof CopyInstruction) {
      const from =
        instruction
          .getFlags()
          .find((flag) => flag.getName() === 'from')
          ?.getValue() ?? undefined;
      const dest = words.at(-1)!;
      const copy: Copy = {
        from,
        sources: words.slice(0, -1),
        dest: posix.resolve(stage.workdir, dest),
        destIsFolder: dest.endsWith('/') || dest === '.' || words.length > 2,
      };
      stage.steps.push({ copy });
      if (from === undefined && copy.sources.includes('.')) stage.context = copy.dest;
    }
  }
  return stages;
}

/** Where a COPY source is in this checkout: the build context, or a path under a build stage's copy of it. */
function inCheckout(stages: Stage[], copy: Copy, source: string): string {
  if (copy.from === undefined) return join(root, source);
  const context = stages.find((stage) => stage.name === copy.from)?.context;
  if (context === undefined) throw new Error(`stage ${copy.from} does not copy the build context`);
  const path = posix.relative(context, source);
  if (path.startsWith('..'))
    throw new Error(`${source} is not under ${context}, where ${copy.from} has the context`);
  return join(root, path);
}

interface Image {
  service: string;
  dockerfile: string;
  args: Record<string, string>;
}

const compose = parse(readFileSync(join(root, 'docker/compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<
    string,
    { build?: { dockerfile: string; target?: string; args?: Record<string, string> } }
  >;
};
/** The images compose runs (the migration job runs a build stage, the whole checkout, instead). */
const images: Image[] = Object.entries(compose.services).flatMap(([service, { build }]) =>
  build === undefined || build.target !== undefined
    ? []
    : [{ service, dockerfile: join(root, build.dockerfile), args: build.args ?? {} }],
);

/** What each app needs to start without reaching anything: demo secrets, and every store on a closed port. */
const CLOSED = '127.0.0.1:9';
const START_ENV: Record<string, string> = {
  DEMO_MODE: '1',
  DATABASE_URL: `postgresql://hwp:hwp@${CLOSED}/hwp_core`,
  PRODUCT_DATABASE_URL: `postgresql://hwp:hwp@${CLOSED}/hwp_product`,
  REDIS_URL: `redis://${CLOSED}`,
  CACHE_REDIS_URL: `redis://${CLOSED}`,
  PRODUCT_API_URL: `http://${CLOSED}`,
  CORE_API_URL: `http://${CLOSED}`,
  // Listen on loopback only (the images listen on every interface).
  HOST: '127.0.0.1',
  HOSTNAME: '127.0.0.1',
};

const folders: string[] = [];
const processes: ChildProcess[] = [];
afterAll(() => {
  for (const child of processes) if (child.exitCode === null) child.kill('SIGKILL');
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/**
 * The image's `RUN npm ci ...` in `workdir`. The services' generated lockfiles often list the same
 * packages: those are installed once, and the other images get that node_modules folder linked in.
 */
const installs = new Map<string, string>();
function npmCi(workdir: string, run: string): void {
  expect(run, 'the runtime stage runs only npm ci').toMatch(/^npm ci( --[\w=-]+)*$/);
  const lock = JSON.parse(readFileSync(join(workdir, 'package-lock.json'), 'utf8')) as {
    name?: string;
    packages: Record<string, { name?: string }>;
  };
  delete lock.name;
  delete lock.packages['']!.name;
  const key = createHash('sha256').update(JSON.stringify(lock)).update(run).digest('hex');
  const installed = installs.get(key);
  if (installed !== undefined) {
    symlinkSync(installed, join(workdir, 'node_modules'));
    return;
  }
  // Without the npm_* settings of the `npm test` around this run, which point at this checkout.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  const result = spawnSync('npm', run.split(' ').slice(1), { cwd: workdir, env, encoding: 'utf8' });
  expect(result.status, `${run} in ${workdir}:\n${result.stderr}`).toBe(0);
  installs.set(key, join(workdir, 'node_modules'));
}

/** The image's last stage in a temporary folder: its COPY lines from this checkout and its RUN lines, in order. */
function assemble(image: Image): { filesystem: string; stage: Stage } {
  const stages = readDockerfile(image.dockerfile, image.args);
  const stage = stages.at(-1)!;
  const filesystem = mkdtempSync(join(tmpdir(), `hwp-image-${image.service}-`));
  folders.push(filesystem);
  const at = (path: string) => join(filesystem, path);
  for (const step of stage.steps) {
    if ('run' in step) {
      npmCi(at(stage.workdir), step.run);
      continue;
    }
    const { copy } = step;
    for (const source of copy.sources) {
      const from = inCheckout(stages, copy, source);
      // As COPY does: a folder's contents go into the destination; a file goes into it, or becomes it.
      const target = statSync(from).isDirectory()
        ? copy.dest
        : copy.destIsFolder
          ? posix.join(copy.dest, posix.basename(source))
          : copy.dest;
      mkdirSync(dirname(at(target)), { recursive: true });
      cpSync(from, at(target), { recursive: true });
    }
  }
  return { filesystem, stage };
}

/** Runs the image's CMD in its folder with the image's ENV; resolves once `healthPath` answers 2xx. */
async function start(image: Image, filesystem: string, stage: Stage, healthPath: string): Promise<string> {
  expect(stage.cmd[0], `${image.service} runs node`).toBe('node');
  const port = await freePort();
  const child = spawn(process.execPath, stage.cmd.slice(1), {
    cwd: join(filesystem, stage.workdir),
    // Only what the image sets, and the settings above: nothing of this checkout's environment.
    env: { PATH: process.env['PATH'], ...stage.env, ...START_ENV, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  processes.push(child);
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    `${image.service} ${healthPath}`,
    async () => {
      if (child.exitCode !== null)
        throw new Error(`${image.service} exited with ${child.exitCode}:\n${errors}`);
      return fetch(`${url}${healthPath}`).then(
        (response) => response.ok,
        () => false,
      );
    },
    30_000,
  );
  return url;
}

const nestImages = images.filter((image) => image.dockerfile.endsWith('nest-app.Dockerfile'));
const web = images.find((image) => image.service === 'web')!;

describe('docker images', () => {
  it('are built for every app, each service image from its folder under apps/', () => {
    const apps = nestImages.map((image) => image.args['APP']).sort();
    expect(apps).toEqual(['core-api', 'ingester', 'outbox-worker', 'product-api', 'sample-products']);
    for (const app of apps) expect(existsSync(join(root, 'apps', app!, 'project.json')), app).toBe(true);
    expect(web.dockerfile).toMatch(/web\.Dockerfile$/);
  });

  it('copy only files that exist after the build', () => {
    for (const image of images) {
      const stages = readDockerfile(image.dockerfile, image.args);
      for (const stage of stages)
        for (const step of stage.steps)
          if ('copy' in step)
            for (const source of step.copy.sources) {
              const path = inCheckout(stages, step.copy, source);
              expect(
                existsSync(path),
                `${image.service}: COPY ${source} (${path}; run npm run build first)`,
              ).toBe(true);
            }
    }
  });

  it("web copies the app's public folder whenever the app has one", () => {
    const copied = readDockerfile(web.dockerfile, {})
      .at(-1)!
      .steps.flatMap((step) => ('copy' in step ? step.copy.sources : []));
    expect(copied.some((source) => source.startsWith('/repo/apps/web/public'))).toBe(
      existsSync(join(root, 'apps/web/public')),
    );
  });

  // The first install of the services' shared lockfile takes about 20 s.
  it.each(nestImages.map((image) => [image.service, image] as const))(
    '%s starts from its image: its bundle and only the packages of its generated package.json',
    async (_, image) => {
      const { filesystem, stage } = assemble(image);
      const dependencies = Object.keys(
        (
          JSON.parse(readFileSync(join(filesystem, stage.workdir, 'package.json'), 'utf8')) as {
            dependencies: Record<string, string>;
          }
        ).dependencies,
      );
      // Slim: none of the web app's packages, nor the tools'.
      expect(dependencies).toContain('@nestjs/core');
      for (const other of ['next', 'react', 'vitest', 'nx', 'typescript'])
        expect(dependencies).not.toContain(other);
      await start(image, filesystem, stage, '/health');
    },
    180_000,
  );

  it('web starts from its standalone output and serves the favicon', async () => {
    const { filesystem, stage } = assemble(web);
    expect(existsSync(join(filesystem, 'app/node_modules/next')), 'the traced next package').toBe(true);
    expect(existsSync(join(filesystem, 'app/node_modules/typescript')), 'no build tools').toBe(false);
    const url = await start(web, filesystem, stage, '/api/health');
    const icon = await fetch(`${url}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/x-icon');
    const signin = await (await fetch(`${url}/signin`)).text();
    // The page's client assets come from .next/static, which standalone output leaves out.
    const script = /<script src="(\/_next\/static\/[^"]+\.js)"/.exec(signin)?.[1];
    expect(script).toBeDefined();
    expect((await fetch(`${url}${script}`)).status).toBe(200);
  }, 60_000);
});
