import { afterEach, describe, expect, it } from 'vitest';
import { AnswerDeadline } from './answer-deadline';

/** A promise the test settles. */
function pending<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((ok, fail) => ([resolve, reject] = [ok, fail]));
  return { promise, resolve, reject };
}

/** Lets settled promises' callbacks run, as they have before any timer (a sweep) fires. */
const settle = () => new Promise((done) => setImmediate(done));

const outcome = <T>(promise: Promise<T>) =>
  promise.then(
    (value) => ({ value }),
    (error: Error) => ({ error: error.message }),
  );

describe('AnswerDeadline', () => {
  let deadline: AnswerDeadline | undefined;
  afterEach(() => deadline?.close());

  it('passes on what settles in time, and fails what has not settled by its deadline', async () => {
    let now = 0;
    deadline = new AnswerDeadline(500, 'cache Redis', () => now);
    const [fast, failing, slow] = [pending<string>(), pending<string>(), pending<string>()];
    const watched = [fast, failing, slow].map(({ promise }) => outcome(deadline!.watch(promise)));
    fast.resolve('hit');
    failing.reject(new Error('connection reset'));
    await settle();
    now = 499;
    deadline.sweep();
    now = 500;
    deadline.sweep();
    slow.resolve('too late');
    expect(await Promise.all(watched)).toEqual([
      { value: 'hit' },
      { error: 'connection reset' },
      { error: 'cache Redis did not answer within 500 ms' },
    ]);
  });

  it('fails only the promises whose deadline passed, oldest first, whatever their number', async () => {
    let now = 0;
    deadline = new AnswerDeadline(100, 'durable Redis', () => now);
    // More than the ring's first size, so that it grows while promises are in it.
    const early = Array.from({ length: 1500 }, () => pending<number>());
    const earlyOutcomes = early.map(({ promise }) => outcome(deadline!.watch(promise)));
    early.forEach((read, i) => i % 2 === 0 && read.resolve(i)); // half answer in time
    await settle();
    now = 60;
    const late = Array.from({ length: 1500 }, () => pending<number>());
    const lateOutcomes = late.map(({ promise }) => outcome(deadline!.watch(promise)));
    now = 100;
    deadline.sweep();
    late.forEach((read, i) => read.resolve(i)); // answered before their own deadline (160)
    await settle();
    now = 160;
    deadline.sweep();

    const earlyAnswers = await Promise.all(earlyOutcomes);
    expect(earlyAnswers.filter((o) => 'value' in o)).toHaveLength(750);
    expect(earlyAnswers.filter((o) => 'error' in o)).toHaveLength(750);
    expect(earlyAnswers[1]).toEqual({ error: 'durable Redis did not answer within 100 ms' });
    expect((await Promise.all(lateOutcomes)).every((o) => 'value' in o)).toBe(true);
  });

  it('sweeps by itself, on an interval of a quarter of the timeout', async () => {
    deadline = new AnswerDeadline(40, 'cache Redis');
    const never = new Promise<never>(() => undefined);
    const started = performance.now();
    await expect(deadline.watch(never)).rejects.toThrow('cache Redis did not answer within 40 ms');
    expect(performance.now() - started).toBeGreaterThanOrEqual(39);
  });
});
