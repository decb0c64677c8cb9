/**
 * A dead letter is a stream entry the ingester gave up on, moved to its shard's dead-letter stream: the
 * entry's own fields followed by these three, saying why, after how many deliveries and which entry it was.
 */
export const DEAD_LETTER_FIELDS = {
  reason: 'dead-reason',
  deliveries: 'dead-deliveries',
  originalId: 'dead-original-id',
} as const;

export interface DeadLetterParts {
  /** The entry as published. */
  fields: string[];
  reason: string;
  deliveries: number;
  originalId: string;
}

/** Splits a dead letter's flat field list; undefined when it does not end with the three fields. */
export function splitDeadLetter(flat: string[]): DeadLetterParts | undefined {
  const names = Object.values(DEAD_LETTER_FIELDS);
  const meta = flat.slice(-2 * names.length);
  if (meta.length !== 2 * names.length || !names.every((name, i) => meta[2 * i] === name)) return undefined;
  const [, reason, , deliveries, , originalId] = meta;
  if (reason === undefined || originalId === undefined) return undefined;
  return { fields: flat.slice(0, -meta.length), reason, deliveries: Number(deliveries), originalId };
}
