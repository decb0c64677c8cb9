import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getDMMF } from '@prisma/get-dmmf';
import { Client } from 'pg';
import { DATABASES, workspaceRoot, type DatabaseKind } from '@hwp/dev-services';

/**
 * A database's shape as comparable strings: one per column ("table.column type [null]"), index
 * ("unique table(a,b)") and foreign key ("fk table(a) -> other(b)"). Both sides below produce this form,
 * so a test can diff what schema.prisma declares against what the migrations built. Partial indexes are
 * left out: Prisma cannot declare them (the experiments' one-running-per-audience index, ADR 0029).
 */
export interface SchemaShape {
  tables: string[];
  columns: string[];
  indexes: string[];
  foreignKeys: string[];
}

// Prisma's default Postgres column types, as format_type() prints them.
const DEFAULT_TYPES: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Boolean: 'boolean',
  DateTime: 'timestamp(3) without time zone',
  Json: 'jsonb',
  Float: 'double precision',
  Decimal: 'numeric(65,30)',
  Bytes: 'bytea',
};

function nativeType([name, args]: [string, string[]]): string {
  const precision = args.length ? `(${args.join(',')})` : '';
  switch (name) {
    case 'Timestamptz':
      return `timestamp${precision} with time zone`;
    case 'Timestamp':
      return `timestamp${precision} without time zone`;
    case 'VarChar':
      return `character varying${precision}`;
    case 'Text':
      return 'text';
    case 'Uuid':
      return 'uuid';
    case 'Date':
      return 'date';
    default:
      throw new Error(`schema-agreement: native type @db.${name} is not mapped yet`);
  }
}

/** The shape schema.prisma of `kind` declares. */
export async function prismaSchemaShape(kind: DatabaseKind): Promise<SchemaShape> {
  const datamodel = readFileSync(join(workspaceRoot(), DATABASES[kind].prismaSchema), 'utf8');
  const document = getDMMF({ datamodel });
  if (!('datamodel' in document))
    throw new Error(`${DATABASES[kind].prismaSchema}: ${document.reason}: ${document.error.message}`);
  const dmmf = document.datamodel;
  const shape: SchemaShape = { tables: [], columns: [], indexes: [], foreignKeys: [] };
  const tableOf = new Map(dmmf.models.map((model) => [model.name, model.dbName ?? model.name]));
  const columnOf = new Map<string, string>();
  type Model = (typeof dmmf.models)[number];
  const modelNamed = (name: string) => {
    const model = dmmf.models.find((m) => m.name === name);
    if (!model) throw new Error(`${DATABASES[kind].prismaSchema} has no model ${name}`);
    return model;
  };
  const fieldNamed = (model: Model, name: string) => {
    const field = model.fields.find((f) => f.name === name);
    if (!field) throw new Error(`${DATABASES[kind].prismaSchema}: ${model.name} has no field ${name}`);
    return field;
  };
  for (const model of dmmf.models) {
    const table = model.dbName ?? model.name;
    shape.tables.push(table);
    for (const field of model.fields) {
      if (field.kind === 'object') {
        if (field.relationFromFields?.length) {
          const from = field.relationFromFields.map((name) => fieldNamed(model, name));
          const target = modelNamed(field.type);
          const to = (field.relationToFields ?? []).map((name) => fieldNamed(target, name));
          shape.foreignKeys.push(
            `fk ${table}(${from.map((f) => f.dbName ?? f.name).join(',')}) -> ${target.dbName ?? target.name}(${to
              .map((f) => f.dbName ?? f.name)
              .join(',')})`,
          );
        }
        continue;
      }
      const column = field.dbName ?? field.name;
      columnOf.set(`${model.name}.${field.name}`, column);
      const type = field.nativeType
        ? nativeType(field.nativeType as [string, string[]])
        : DEFAULT_TYPES[field.type];
      shape.columns.push(`${table}.${column} ${type}${field.isRequired ? '' : ' null'}`);
    }
  }
  for (const index of dmmf.indexes) {
    const kindName = index.type === 'id' ? 'primary' : index.type === 'unique' ? 'unique' : 'index';
    const columns = index.fields.map((f) => columnOf.get(`${index.model}.${f.name}`)).join(',');
    shape.indexes.push(`${kindName} ${tableOf.get(index.model)}(${columns})`);
  }
  return sorted(shape);
}

/** The shape the database behind `url` has (public schema, Prisma's bookkeeping table left out). */
export async function databaseShape(url: string): Promise<SchemaShape> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ table: string }>(
      `SELECT c.relname AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> '_prisma_migrations'`,
    );
    const columns = await client.query<{ line: string }>(
      `SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
              || CASE WHEN a.attnotnull THEN '' ELSE ' null' END AS line
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> '_prisma_migrations'
         AND a.attnum > 0 AND NOT a.attisdropped`,
    );
    const indexes = await client.query<{ line: string }>(
      `SELECT CASE WHEN i.indisprimary THEN 'primary' WHEN i.indisunique THEN 'unique' ELSE 'index' END
              || ' ' || c.relname || '(' || string_agg(a.attname, ',' ORDER BY k.ord) || ')' AS line
       FROM pg_index i
       JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
       WHERE n.nspname = 'public' AND c.relname <> '_prisma_migrations'
         -- A partial index (WHERE ...) is the migrations' alone: schema.prisma cannot declare one.
         AND i.indpred IS NULL
       GROUP BY i.indexrelid, i.indisprimary, i.indisunique, c.relname`,
    );
    const foreignKeys = await client.query<{ line: string }>(
      `SELECT 'fk ' || src.relname || '(' ||
              (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum)
              || ') -> ' || dst.relname || '(' ||
              (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum)
              || ')' AS line
       FROM pg_constraint con JOIN pg_class src ON src.oid = con.conrelid JOIN pg_class dst ON dst.oid = con.confrelid
       JOIN pg_namespace n ON n.oid = src.relnamespace
       WHERE con.contype = 'f' AND n.nspname = 'public'`,
    );
    return sorted({
      tables: tables.rows.map((r) => r.table),
      columns: columns.rows.map((r) => r.line),
      indexes: indexes.rows.map((r) => r.line),
      foreignKeys: foreignKeys.rows.map((r) => r.line),
    });
  } finally {
    await client.end();
  }
}

function sorted(shape: SchemaShape): SchemaShape {
  return {
    tables: [...shape.tables].sort(),
    columns: [...shape.columns].sort(),
    indexes: [...shape.indexes].sort(),
    foreignKeys: [...shape.foreignKeys].sort(),
  };
}
