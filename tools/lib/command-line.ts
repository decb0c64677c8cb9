import { parseArgs, type ParseArgsConfig } from 'node:util';

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

/** A command's options and positionals as parseArgs reads them, always strict, always with -h/--help. */
export interface CommandLineSpec extends Pick<ParseArgsConfig, 'options' | 'allowPositionals'> {
  /** The whole usage text, printed for --help and after a usage error. */
  usage: string;
}

/**
 * The command line of a README command: --help prints the usage and exits 0; a usage error (an unknown
 * option, a missing value) prints one line and the usage and exits 2, never a stack trace.
 */
export function commandLine<S extends CommandLineSpec>(spec: S, args = process.argv.slice(2)) {
  const config = {
    args,
    options: { ...spec.options, ...HELP } as S['options'] & typeof HELP,
    allowPositionals: spec.allowPositionals as S['allowPositionals'],
    strict: true as const,
  };
  let parsed: ReturnType<typeof parseArgs<typeof config>>;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    usageError((error as Error).message, spec.usage);
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(`${spec.usage.trim()}\n`);
    process.exit(0);
  }
  return parsed;
}

/** Ends the command with a one-line usage error and the usage (exit 2). */
export function usageError(message: string, usage: string): never {
  process.stderr.write(`error: ${message}\n\n${usage.trim()}\n`);
  process.exit(2);
}
