/** How a change was made: with a team's API key (id: the key's id) or in a studio session (id: its subject). */
export interface Actor {
  kind: 'key' | 'studio';
  id: string;
}

/** Who makes a request: the team it acts for ("platform" for an admin), the actor, and its request id. */
export interface Caller {
  teamId: string;
  actor: Actor;
  requestId: string;
}

/** What an audit record says was done. */
export type AuditAction =
  | 'publish'
  | 'delete'
  | 'campaign'
  | 'rollback'
  | 'save-draft'
  | 'register-refresh-endpoint'
  | 'define-experiment'
  | 'start-experiment'
  | 'stop-experiment';

/** One line of the append-only audit log. */
export interface AuditRecord {
  id: number;
  at: Date;
  teamId: string;
  actor: Actor;
  action: AuditAction;
  productId: string;
  audience: string | null;
  dataVersion: number | null;
  requestId: string;
}

export interface AuditQuery {
  /** The products whose records to read; undefined: every product (admins only). */
  productIds?: string[];
  /** Only records older than this one (keyset pagination, newest first). */
  before?: number;
  limit: number;
}

/** Port: reads the audit log. Records are appended by the stores, in the transaction of each write. */
export interface AuditLog {
  find(query: AuditQuery): Promise<AuditRecord[]>;
}

export const AUDIT_LOG = Symbol('AuditLog');

/** Who may read which records: an admin reads all, a team the records of its own products. */
export type AuditReader = { role: 'admin' } | { role: 'team'; productIds: string[] };

/**
 * The products whose records a reader asks for, or a refusal when a team asks for another team's product;
 * undefined for an admin reading everything.
 */
export function auditScope(
  reader: AuditReader,
  productId: string | undefined,
): { ok: true; productIds?: string[] } | { ok: false } {
  if (reader.role === 'admin')
    return { ok: true, productIds: productId === undefined ? undefined : [productId] };
  if (productId === undefined) return { ok: true, productIds: reader.productIds };
  return reader.productIds.includes(productId) ? { ok: true, productIds: [productId] } : { ok: false };
}
