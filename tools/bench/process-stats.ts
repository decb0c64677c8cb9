import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { availableParallelism, getPriority, setPriority } from 'node:os';

/** Clock ticks per second of /proc's CPU times (USER_HZ; 100 on Linux unless configured otherwise). */
const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** CPU seconds (user + system) from /proc/<pid>/stat: the process's own, or its ended children's. */
function statCpuSeconds(pid: number | 'self', whose: 'own' | 'endedChildren'): number {
  // Fields after the ")" that ends the command name: state is the 3rd field, utime the 14th, cutime the 16th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const first = whose === 'own' ? 11 : 13;
  return (Number(fields[first]) + Number(fields[first + 1])) / TICKS_PER_SECOND;
}

/**
 * CPU seconds of this process's children that have ended and been waited for (cutime + cstime). The
 * difference around one load-generator run is that run's own CPU, grandchildren included, without sampling.
 */
export const endedChildrenCpuSeconds = () => statCpuSeconds('self', 'endedChildren');

/** CPU seconds a running process has used, all its threads (utime + stime). */
export const processCpuSeconds = (pid: number) => statCpuSeconds(pid, 'own');

/** Peak resident set size of a running process (VmHWM of /proc/<pid>/status), in bytes. */
export function peakRssBytes(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmHWM for process ${pid}`);
  return Number(match[1]) * 1024;
}

// On two cores or more, the servers under test get the last core and the load generator the first, so
// that the targets do not share one core with the load differently from one run to the next.
const CAN_PIN = existsSync('/usr/bin/taskset') && availableParallelism() >= 2;
export const CORES = {
  loadGenerator: '0',
  server: String(availableParallelism() - 1),
} as const;

/**
 * The scheduling priority of the load (wrk, and the bench's own requests of the cold-user storm): ahead of
 * the platform's processes, whose share of the machine is what the bench measures. Only root may raise a
 * priority; others run the load at the default one.
 */
export const LOAD_GENERATOR_NICENESS = -10;

/**
 * Runs `work` with this process's main thread (which sends the bench's own requests) at the load's
 * priority, then restores it: processes started meanwhile would inherit it.
 */
export async function asLoadGenerator<T>(work: () => Promise<T>): Promise<T> {
  const before = getPriority();
  try {
    setPriority(LOAD_GENERATOR_NICENESS);
  } catch {
    return work(); // not allowed: the default priority
  }
  try {
    return await work();
  } finally {
    setPriority(before);
  }
}

/** The niceness of the write pipeline while the cold-user storm reads (yieldCpu). */
const BACKGROUND_NICENESS = 10;

/**
 * Lowers the scheduling priority of running processes, every thread of them (Linux keeps a niceness per
 * thread): background work yields the cores to the read path and the load when both want them, as it would
 * on machines of its own. Lowering is allowed to anyone.
 */
export function yieldCpu(pids: readonly number[]): void {
  for (const pid of pids) {
    for (const thread of readdirSync(`/proc/${pid}/task`)) {
      try {
        setPriority(Number(thread), BACKGROUND_NICENESS);
      } catch {
        // the thread ended meanwhile
      }
    }
  }
}

/** The command that runs `command` on `core` when pinning is possible. */
export function pinnedCommand(core: string, command: string, args: string[]): [string, string[]] {
  return CAN_PIN ? ['/usr/bin/taskset', ['-c', core, command, ...args]] : [command, args];
}

/** Moves a running process (every thread) to `core`. */
export function pinProcess(pid: number, core: string): void {
  if (CAN_PIN) spawnSync('/usr/bin/taskset', ['-apc', core, String(pid)], { stdio: 'ignore' });
}
