export {
  MigrationError,
  PRISMA_ADVISORY_LOCK_KEY,
  migrate,
  readMigrations,
  type Migration,
  type MigrateOptions,
  type MigrateResult,
} from './migrate';
