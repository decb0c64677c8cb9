export { DEMO_USERS, SAMPLE_PRODUCTS, sampleProduct, type SampleProduct } from './sample-products';
