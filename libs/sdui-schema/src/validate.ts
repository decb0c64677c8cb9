import { type Check, Checker, type ValidationError, ValidationFailure } from './checker';
import { screen, widget } from './generated/validator';
import type { Screen, Widget } from './generated/types';

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; errors: ValidationError[] };

/**
 * Checks parsed JSON against the schema and the limits (depth, node count, widget size, unique ids).
 * Reports the first error with a JSON pointer; bad input never throws.
 */
export const validateScreen = (json: unknown): ValidationResult<Screen> => run(json, screen);

/** validateScreen for one widget, e.g. a product's submission. */
export const validateWidget = (json: unknown): ValidationResult<Widget> => run(json, widget);

function run<T>(json: unknown, check: Check): ValidationResult<T> {
  try {
    check(new Checker(), json);
    return { ok: true, value: json as T };
  } catch (error) {
    if (error instanceof ValidationFailure) return { ok: false, errors: [error.error] };
    throw error;
  }
}
