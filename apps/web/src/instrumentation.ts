/**
 * Runs once when the Next.js server starts: like the APIs, the web refuses to start with one line naming
 * a bad or missing setting (not at build time, which has no secrets).
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs' || process.env.NEXT_PHASE === 'phase-production-build') return;
  const { configurationProblem } = await import('./server/config');
  const problem = configurationProblem();
  if (problem === undefined) return;
  process.stderr.write(`web: invalid configuration: ${problem}\n`);
  process.exit(1);
}
