-- The product database lives next to the core one (each owned by its own services).
CREATE DATABASE hwp_product OWNER hwp;
