import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { validateScreen } from '@hwp/sdui-schema';

import { LIB, WORKSPACE_ROOT } from './outputs';

// How many typical 12-widget screens validateScreen checks per second on one core (this thread).
// Prints numbers only; the target is 20,000 screens/s. JSON.parse of the same screen is printed
// for scale, since a server parses every screen it validates.
// Run: tsx tools/sdui-codegen/src/bench-validator.ts

const TARGET = 20_000;
const ROUNDS = 7;
const ROUND_MS = 1_000;

const text = readFileSync(join(WORKSPACE_ROOT, LIB, 'fixtures/valid/screen-typical-home.json'), 'utf8');
const screen = JSON.parse(text);
const compact = JSON.stringify(screen);
if (!validateScreen(screen).ok) throw new Error('The typical screen fixture must be valid');

/** Calls per second of `run` (slowest, median and fastest of the rounds), after a warm-up round. */
function measure(run: () => unknown): { min: number; median: number; max: number } {
  const rates: number[] = [];
  for (let round = -1; round < ROUNDS; round++) {
    let calls = 0;
    const start = process.hrtime.bigint();
    const end = start + BigInt(ROUND_MS * 1e6);
    let now = start;
    while (now < end) {
      for (let i = 0; i < 100; i++) run();
      calls += 100;
      now = process.hrtime.bigint();
    }
    if (round >= 0) rates.push(calls / (Number(now - start) / 1e9));
  }
  rates.sort((a, b) => a - b);
  const [min] = rates;
  const median = rates[Math.floor(rates.length / 2)];
  const max = rates.at(-1);
  if (min === undefined || median === undefined || max === undefined)
    throw new Error('ROUNDS must be at least 1');
  return { min, median, max };
}

const format = (rate: number) => Math.round(rate).toLocaleString('en-US');
const nodes = (compact.match(/"id":/g) ?? []).length - 1;
console.log(
  `typical screen: ${screen.widgets.length} widgets, ${nodes} nodes, ${compact.length} bytes of JSON`,
);

for (const [label, run] of [
  ['validateScreen', () => validateScreen(screen)],
  ['JSON.parse (for scale)', () => JSON.parse(compact)],
] as const) {
  const { min, median, max } = measure(run);
  console.log(
    `${label.padEnd(24)} median ${format(median)}/s  (min ${format(min)}, max ${format(max)}, ${ROUNDS} rounds of ${ROUND_MS} ms)`,
  );
  if (label === 'validateScreen') {
    console.log(`${''.padEnd(24)} target ${format(TARGET)}/s: ${median >= TARGET ? 'met' : 'NOT met'}`);
  }
}
