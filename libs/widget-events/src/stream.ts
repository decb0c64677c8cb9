import { createHash } from 'node:crypto';
import type { Audience } from './audience';

/**
 * The widget event stream is split into shards so ingesters spread over Redis Cluster nodes. Every event
 * of one (product, audience) goes to the same shard, which keeps its order. Each key is one hash tag, so
 * a shard's stream and its dead-letter stream live in the same slot (one atomic script can move an entry).
 */
export const CONSUMER_GROUP = 'ingesters';

/** `key` is a widget's audience, or a segment's `segmentStreamKey`. */
export function shardOf(productId: string, key: Audience | `segment:${string}`, shards: number): number {
  return createHash('sha1').update(`${productId}\u0000${key}`).digest().readUInt32BE(0) % shards;
}

export function streamKey(shard: number): string {
  return `{widget-events:${shard}}`;
}

export function deadLetterKey(shard: number): string {
  return `{widget-events:${shard}}:dead`;
}

export function allShards(shards: number): number[] {
  return Array.from({ length: shards }, (_, shard) => shard);
}
