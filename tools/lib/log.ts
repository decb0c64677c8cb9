/** Progress lines of the CLI tools: `[tool] message`, with elapsed time for finished steps. */
export function logger(tool: string) {
  const log = (line: string) => process.stdout.write(`[${tool}] ${line}\n`);
  return Object.assign(log, {
    async step<T>(what: string, work: () => Promise<T> | T): Promise<T> {
      const started = Date.now();
      log(`${what} ...`);
      const result = await work();
      log(`${what}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return result;
    },
  });
}

export type Logger = ReturnType<typeof logger>;
