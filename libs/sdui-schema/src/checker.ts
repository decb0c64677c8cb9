import { SDUI_LIMITS } from './source/limits';

export interface ValidationError {
  /** JSON pointer to the offending value (or to the missing member). */
  path: string;
  message: string;
}

/** Stops a run at the first error; validateScreen and validateWidget turn it into a result. */
export class ValidationFailure extends Error {
  constructor(readonly error: ValidationError) {
    super(`${error.path || '/'}: ${error.message}`);
  }
}

export type JsonObject = { [key: string]: unknown };
export type Check = (c: Checker, value: unknown) => void;

const pointerSegment = (segment: string | number) =>
  `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`;

// Compact JSON takes at most 6 bytes per UTF-16 unit of a string (a \u escape) and 24 per number.
const MAX_NUMBER_BYTES = 24;
const utf8 = new TextEncoder();

/**
 * The state of one validation run, driven by the generated checks in generated/validator.ts.
 * It keeps the JSON pointer as a stack of segments and only joins it when reporting an error,
 * and it tracks the limits of the current widget (the node at depth 1) on the way.
 */
export class Checker {
  private readonly path: (string | number)[] = [];
  private depth = 0;
  private nodesInWidget = 0;
  private readonly idsInWidget = new Set<string>();
  private readonly widgetIds = new Set<string>();
  /** An upper bound of the current widget's JSON size, so the exact size is only computed near the limit. */
  private widgetBytesBound = 0;

  fail(key: string | number | undefined, message: string): never {
    const segments = key === undefined ? this.path : [...this.path, key];
    throw new ValidationFailure({ path: segments.map(pointerSegment).join(''), message });
  }

  object(value: unknown): JsonObject {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      this.fail(undefined, 'must be an object');
    this.widgetBytesBound += 2;
    return value as JsonObject;
  }

  /** Rejects unknown members and adds the members' sizes to the widget's size bound. */
  keys(o: JsonObject, allowed: ReadonlySet<string>): void {
    for (const key in o) {
      if (!allowed.has(key)) this.fail(key, 'is not allowed');
      const value = o[key];
      this.widgetBytesBound +=
        key.length +
        4 +
        (typeof value === 'string' ? 6 * value.length + 2 : typeof value === 'object' ? 0 : MAX_NUMBER_BYTES);
    }
  }

  constant(o: JsonObject, key: string, expected: string): void {
    if (o[key] !== expected) this.fail(key, `must be "${expected}"`);
  }

  string(o: JsonObject, key: string, required: boolean, min: number, max: number, pattern?: RegExp): void {
    const value = o[key];
    if (value === undefined) return this.missing(key, required);
    if (typeof value !== 'string') this.fail(key, 'must be a string');
    // Limits count code points; UTF-16 length is an upper bound, and exact within the common case.
    if (value.length > max || value.length < 2 * min) {
      const length = codePoints(value);
      if (length < min) this.fail(key, `must be at least ${min} characters`);
      if (length > max) this.fail(key, `must be at most ${max} characters`);
    }
    if (pattern && !pattern.test(value)) this.fail(key, `must match ${pattern.source}`);
  }

  /** Node ids are unique within their widget, and widget ids within the screen. Call after checking `id`. */
  uniqueId(o: JsonObject): void {
    const id = o['id'] as string;
    if (this.depth === 1) {
      if (this.widgetIds.has(id)) this.fail('id', `duplicate widget id "${id}"`);
      this.widgetIds.add(id);
    }
    if (this.idsInWidget.has(id)) this.fail('id', `duplicate id "${id}" in this widget`);
    this.idsInWidget.add(id);
  }

  number(o: JsonObject, key: string, required: boolean, integer: boolean, min: number, max: number): void {
    const value = o[key];
    if (value === undefined) return this.missing(key, required);
    if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
      this.fail(key, integer ? 'must be an integer' : 'must be a number');
    }
    if (value < min) this.fail(key, `must be at least ${min}`);
    if (value > max) this.fail(key, `must be at most ${max}`);
  }

  boolean(o: JsonObject, key: string, required: boolean): void {
    const value = o[key];
    if (value === undefined) return this.missing(key, required);
    if (typeof value !== 'boolean') this.fail(key, 'must be a boolean');
  }

  token(o: JsonObject, key: string, required: boolean, values: ReadonlySet<string>): void {
    const value = o[key];
    if (value === undefined) return this.missing(key, required);
    if (typeof value !== 'string' || !values.has(value))
      this.fail(key, `must be one of: ${[...values].join(', ')}`);
  }

  /** A map of strings, e.g. analytics properties. */
  stringMap(o: JsonObject, key: string, required: boolean, keyPattern: RegExp, maxValueLength: number): void {
    const value = o[key];
    if (value === undefined) return this.missing(key, required);
    this.path.push(key);
    const map = this.object(value);
    for (const name in map) {
      if (!keyPattern.test(name)) this.fail(name, `must match ${keyPattern.source}`);
      this.string(map, name, true, 0, maxValueLength);
      this.widgetBytesBound += name.length + 4 + 6 * (map[name] as string).length + 2;
    }
    this.path.pop();
  }

  /** A field holding one node, action or object, checked by `check`. */
  one(o: JsonObject, key: string, required: boolean, check: Check): void {
    const value = o[key];
    if (value === undefined) return this.missing(key, required);
    this.path.push(key);
    check(this, value);
    this.path.pop();
  }

  many(o: JsonObject, key: string, required: boolean, min: number, max: number, check: Check): void {
    const value = o[key];
    if (value === undefined) return this.missing(key, required);
    if (!Array.isArray(value)) this.fail(key, 'must be an array');
    if (value.length < min) this.fail(key, `must have at least ${min} items`);
    if (value.length > max) this.fail(key, `must have at most ${max} items`);
    this.widgetBytesBound += 2 + value.length;
    this.path.push(key, 0);
    for (let i = 0; i < value.length; i++) {
      this.path[this.path.length - 1] = i;
      check(this, value[i]);
    }
    this.path.length -= 2;
  }

  /** `dependentRequired`: `then` must be present whenever `when` is. */
  requiredWith(o: JsonObject, when: string, then: string): void {
    if (o[when] !== undefined && o[then] === undefined) this.fail(then, `is required when ${when} is set`);
  }

  enterNode(value: unknown): JsonObject {
    if (this.depth === 0) {
      this.nodesInWidget = 0;
      this.idsInWidget.clear();
      this.widgetBytesBound = 0;
    }
    const o = this.object(value);
    if (++this.depth > SDUI_LIMITS.maxDepth)
      this.fail(undefined, `nodes may nest at most ${SDUI_LIMITS.maxDepth} deep`);
    if (++this.nodesInWidget > SDUI_LIMITS.maxNodesPerWidget) {
      this.fail(undefined, `a widget may have at most ${SDUI_LIMITS.maxNodesPerWidget} nodes`);
    }
    return o;
  }

  leaveNode(o: JsonObject): void {
    if (--this.depth > 0 || this.widgetBytesBound <= SDUI_LIMITS.maxWidgetBytes) return;
    const bytes = utf8.encode(JSON.stringify(o)).length;
    if (bytes > SDUI_LIMITS.maxWidgetBytes) {
      this.fail(
        undefined,
        `widget is ${bytes} bytes of JSON; at most ${SDUI_LIMITS.maxWidgetBytes} are allowed`,
      );
    }
  }

  unknownType(o: JsonObject, known: readonly string[]): never {
    if (o['type'] === undefined) this.fail('type', 'is required');
    this.fail('type', `must be one of: ${known.join(', ')}`);
  }

  private missing(key: string, required: boolean): void {
    if (required) this.fail(key, 'is required');
  }
}

function codePoints(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}
