import Link from 'next/link';
import { Table, TableCell, TableHead, TableHeader, TableRow } from '../components/ui/table';
import type { ApiResult, ExperimentPage } from '../server/studio-api';

export const experimentHref = (productId: string, experimentId: string) =>
  `/admin/products/${productId}/experiments/${encodeURIComponent(experimentId)}`;

/** The product's experiments, each linking to its page with the result. */
export function ExperimentList({
  productId,
  listing,
}: {
  productId: string;
  listing: ApiResult<ExperimentPage>;
}) {
  if (!listing.ok)
    return (
      <p role="alert" className="mt-3">
        The experiments cannot be listed right now: {listing.detail}
      </p>
    );
  const { experiments, nextCursor } = listing.value;
  if (experiments.length === 0) return <p className="mt-3 text-muted">No experiments yet.</p>;
  return (
    <div className="mt-3 overflow-x-auto">
      <Table>
        <caption className="sr-only">Experiments of {productId}</caption>
        <TableHeader>
          <TableHead>Experiment</TableHead>
          <TableHead>State</TableHead>
          <TableHead>Audience</TableHead>
          <TableHead>Variants</TableHead>
        </TableHeader>
        <tbody>
          {experiments.map((experiment) => (
            <TableRow key={experiment.experimentId} data-experiment={experiment.experimentId}>
              <TableHead scope="row">
                <Link href={experimentHref(productId, experiment.experimentId)}>{experiment.name}</Link>
              </TableHead>
              <TableCell>{experiment.state}</TableCell>
              <TableCell>{experiment.audience}</TableCell>
              <TableCell>{experiment.variants.map((variant) => variant.variantId).join(', ')}</TableCell>
            </TableRow>
          ))}
        </tbody>
      </Table>
      {nextCursor !== null && (
        <nav aria-label="Experiment pages" className="mt-2 text-sm">
          <Link href={`/admin/products/${productId}?experiments=${encodeURIComponent(nextCursor)}`}>
            More experiments
          </Link>
        </nav>
      )}
    </div>
  );
}
