export { Backoff, backoffDelay, dependencyBackoff } from './backoff';
export { ConsumeLoop, type ConsumeLoopHandlers } from './consume-loop';
export {
  ConsumerGroup,
  type ConsumerGroupSettings,
  type DeadLetter,
  type DeadLetterSettings,
  type Reclaimed,
  type StreamEntry,
} from './consumer-group';
