import { canAccessProduct } from '@hwp/studio-auth';
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import {
  Table,
  TableCaption,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from '../../../../../../components/ui/table';
import {
  experimentResult,
  readExperiment,
  type Experiment,
  type VariantResult,
} from '../../../../../../server/studio-api';
import { currentStudioSession } from '../../../../../../server/studio-session';
import {
  PublishWinnerButton,
  StopExperimentButton,
} from '../../../../../../studio/client/experiment-buttons';
import { ExperimentResultChart } from '../../../../../../studio/client/experiment-result-chart';
import { StudioHeader } from '../../../../../../studio/studio-header';

export const dynamic = 'force-dynamic';

type Params = { productId: string; experimentId: string };

export async function generateMetadata({ params }: { params: Promise<Params> }): Promise<Metadata> {
  const { productId, experimentId } = await params;
  return { title: `Experiment ${experimentId} of ${productId} · Studio` };
}

const ID = /^[a-z][a-z0-9-]{0,39}$/;

const percent = (rate: number) => `${(rate * 100).toFixed(2)} %`;
const time = (iso: string | null) => (iso === null ? '—' : `${iso.replace('T', ' ').slice(0, 16)} UTC`);
const pValue = (p: number) => (p < 0.001 ? '< 0.001' : p.toFixed(3));
const audienceLabel = (audience: string) =>
  audience === 'everyone' ? 'Everyone' : `Segment ${audience.slice('segment:'.length)}`;

/**
 * One experiment: its definition and state, and once it has started its result per variant (impressions,
 * clicks, CTR with its 95 % interval, the test against the control) as a chart and a table; stop it while
 * it runs, publish a variant as the winner once it has stopped.
 */
export default async function ExperimentPage({ params }: { params: Promise<Params> }) {
  const [{ productId, experimentId }, studio] = await Promise.all([params, currentStudioSession()]);
  if (studio === undefined) redirect('/admin?error=expired');
  if (!canAccessProduct(studio.session, productId) || !ID.test(experimentId)) notFound();

  const read = await readExperiment(studio.token, productId, experimentId);
  if (!read.ok && read.status === 401) redirect('/admin?error=expired');
  if (!read.ok && read.status === 404) notFound();
  const experiment = read.ok ? read.value : undefined;
  const startedAt = experiment?.startedAt ?? null;
  const result =
    experiment && startedAt !== null
      ? await experimentResult(studio.token, { ...experiment, startedAt })
      : undefined;

  return (
    <>
      <StudioHeader session={studio.session} title={experiment?.name ?? experimentId}>
        <p className="text-sm text-muted">
          <Link href="/admin">Studio</Link> › <Link href={`/admin/products/${productId}`}>{productId}</Link> ›
          experiment {experimentId}
        </p>
      </StudioHeader>
      {!read.ok || experiment === undefined ? (
        <p role="alert" className="mt-6">
          The experiment cannot be read right now: {read.ok ? 'no answer' : read.detail}
        </p>
      ) : (
        <>
          <Definition experiment={experiment} />
          {experiment.state === 'running' && (
            <div className="mt-4">
              <StopExperimentButton productId={productId} experimentId={experimentId} />
            </div>
          )}
          <h2 className="mt-10 text-lg font-semibold">Result</h2>
          {result === undefined ? (
            <p className="mt-3 text-muted">Not started yet: the figures begin when it runs.</p>
          ) : !result.ok ? (
            <p role="alert" className="mt-3">
              The result cannot be read right now: {result.detail}
            </p>
          ) : (
            <>
              <p className="mt-1 text-sm text-muted">
                From {result.value.from} to {result.value.to} (UTC days). CTR with its 95 % Wilson score
                interval; each variant tested against the control with a two-sided two-proportion z-test.
                Deciding at the first p &lt; 0.05 of a daily look overstates the evidence: settle the length
                first.
              </p>
              <ExperimentResultChart variants={result.value.variants} />
              <ResultTable experiment={experiment} variants={result.value.variants} />
            </>
          )}
        </>
      )}
    </>
  );
}

function Definition({ experiment }: { experiment: Experiment }) {
  const fields: [string, string, string][] = [
    ['State', experiment.state, 'experiment-state'],
    ['Audience', audienceLabel(experiment.audience), 'experiment-audience'],
    ['Started', time(experiment.startedAt), 'experiment-started'],
    ['Stopped', time(experiment.stoppedAt), 'experiment-stopped'],
  ];
  return (
    <dl className="mt-6 grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-sm">
      {fields.map(([label, value, testId]) => (
        <div key={label} className="contents">
          <dt className="font-medium text-muted">{label}</dt>
          <dd data-testid={testId} data-state={label === 'State' ? experiment.state : undefined}>
            {value}
          </dd>
        </div>
      ))}
    </dl>
  );
}

function ResultTable({ experiment, variants }: { experiment: Experiment; variants: VariantResult[] }) {
  const shares = new Map(experiment.variants.map((variant) => [variant.variantId, variant.basisPoints]));
  const stopped = experiment.state === 'stopped';
  return (
    <div className="mt-6 overflow-x-auto">
      <Table data-testid="experiment-result">
        <TableCaption>Per variant, since the start</TableCaption>
        <TableHeader>
          <TableHead>Variant</TableHead>
          <TableHead>Share</TableHead>
          <TableHead>Impressions</TableHead>
          <TableHead>Clicks</TableHead>
          <TableHead>CTR</TableHead>
          <TableHead>95 % interval</TableHead>
          <TableHead>Against the control</TableHead>
          {stopped && (
            <TableHead>
              <span className="sr-only">Publish</span>
            </TableHead>
          )}
        </TableHeader>
        <tbody>
          {variants.map((variant) => (
            <TableRow key={variant.variantId} data-variant={variant.variantId}>
              <TableHead scope="row">
                {variant.variantId}
                {variant.control && <span className="text-muted"> (control)</span>}
              </TableHead>
              <TableCell>{percent((shares.get(variant.variantId) ?? 0) / 10_000)}</TableCell>
              <TableCell data-testid="impressions">{variant.impressions}</TableCell>
              <TableCell data-testid="clicks">{variant.clicks}</TableCell>
              <TableCell data-testid="ctr">{variant.ctr === null ? '—' : percent(variant.ctr)}</TableCell>
              <TableCell data-testid="interval">
                {variant.interval === null
                  ? '—'
                  : `${percent(variant.interval.low)} – ${percent(variant.interval.high)}`}
              </TableCell>
              <TableCell data-testid="p-value">
                {variant.control
                  ? '—'
                  : variant.againstControl === null
                    ? 'not enough data'
                    : `p ${pValue(variant.againstControl.pValue)} (z ${variant.againstControl.z.toFixed(2)})`}
              </TableCell>
              {stopped && (
                <TableCell className="text-right">
                  <PublishWinnerButton
                    productId={experiment.productId}
                    experimentId={experiment.experimentId}
                    variantId={variant.variantId}
                  />
                </TableCell>
              )}
            </TableRow>
          ))}
        </tbody>
      </Table>
    </div>
  );
}
