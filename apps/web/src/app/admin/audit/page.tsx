import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { Table, TableCell, TableHead, TableHeader, TableRow } from '../../../components/ui/table';
import { auditLog, type AuditRecord } from '../../../server/studio-api';
import { currentStudioSession } from '../../../server/studio-session';
import { StudioHeader } from '../../../studio/studio-header';

export const metadata: Metadata = { title: 'Audit log · Studio' };
export const dynamic = 'force-dynamic';

/** Records per page. */
const PAGE_SIZE = 50;

const ACTIONS: Record<AuditRecord['action'], string> = {
  publish: 'Published',
  delete: 'Deleted',
  campaign: 'Published in a campaign',
  rollback: 'Rolled back',
  'save-draft': 'Saved a draft',
  'register-refresh-endpoint': 'Registered the refresh endpoint',
  'define-experiment': 'Defined an experiment',
  'start-experiment': 'Started an experiment',
  'stop-experiment': 'Stopped an experiment',
};

/**
 * The audit log, newest first: who did what, when, with which key or studio session. product-api decides
 * what a session reads: an admin every product, a team its own.
 */
export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<{ productId?: string; cursor?: string }>;
}) {
  const [{ productId, cursor }, studio] = await Promise.all([searchParams, currentStudioSession()]);
  if (studio === undefined) redirect('/admin?error=expired');
  const page = await auditLog(studio.token, { productId, cursor, limit: PAGE_SIZE });
  if (!page.ok && page.status === 401) redirect('/admin?error=expired');
  const scope = productId === undefined ? '' : `productId=${encodeURIComponent(productId)}&`;

  return (
    <>
      <StudioHeader session={studio.session} title="Audit log">
        <p className="text-sm text-muted">
          <Link href="/admin">Studio</Link> › audit log
          {productId !== undefined && ` of ${productId}`}
        </p>
      </StudioHeader>
      <p className="mt-2 text-sm text-muted">
        {studio.session.role === 'admin' ? 'Every product’s changes.' : 'Your team’s products’ changes.'} The
        log is append-only: nobody can change or remove a record.
      </p>
      {!page.ok ? (
        <p role="alert" className="mt-6">
          The audit log cannot be read right now: {page.detail}
        </p>
      ) : page.value.records.length === 0 ? (
        <p className="mt-6 text-muted">Nothing has been changed yet.</p>
      ) : (
        <div className="mt-6 overflow-x-auto">
          <Table>
            <caption className="sr-only">Audit records, newest first</caption>
            <TableHeader>
              {['When (UTC)', 'Who', 'What', 'Product', 'Audience', 'Version', 'Request'].map((heading) => (
                <TableHead key={heading}>{heading}</TableHead>
              ))}
            </TableHeader>
            <tbody>
              {page.value.records.map((record) => (
                <TableRow key={record.id} data-action={record.action}>
                  <TableCell>
                    <time dateTime={record.at}>{record.at.replace('T', ' ').slice(0, 19)}</time>
                  </TableCell>
                  <TableCell>
                    {record.teamId} ({record.actor.kind === 'key' ? `key ${record.actor.id}` : 'studio'})
                  </TableCell>
                  <TableCell>{ACTIONS[record.action]}</TableCell>
                  <TableCell>
                    <Link href={`/admin/audit?productId=${encodeURIComponent(record.productId)}`}>
                      {record.productId}
                    </Link>
                  </TableCell>
                  <TableCell>{record.audience ?? '—'}</TableCell>
                  <TableCell>{record.dataVersion === null ? '—' : `v${record.dataVersion}`}</TableCell>
                  <TableCell className="font-mono text-xs">{record.requestId}</TableCell>
                </TableRow>
              ))}
            </tbody>
          </Table>
        </div>
      )}
      {page.ok && page.value.nextCursor !== null && (
        <p className="mt-4 text-sm">
          <Link href={`/admin/audit?${scope}cursor=${encodeURIComponent(page.value.nextCursor)}`}>
            Older records
          </Link>
        </p>
      )}
    </>
  );
}
