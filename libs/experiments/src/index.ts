export { TOTAL_BASIS_POINTS, assignVariant, assignmentBucket, type VariantShare } from './assignment';
export {
  Z_95,
  experimentResult,
  twoProportionZTest,
  wilsonInterval,
  type Interval,
  type VariantCounts,
  type VariantResult,
  type ZTest,
} from './significance';
