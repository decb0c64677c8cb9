'use server';

import { decodeScreen, type Screen } from '@hwp/sdui-schema';
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { isHttps } from '../../server/request';
import {
  deleteWidget,
  previewAsUser,
  publishWidget,
  publishWinner,
  rollBack,
  saveDraft,
  saveHomeLayout,
  stopExperiment,
  type ApiResult,
  type PublishTarget,
  type PublishWindow,
} from '../../server/studio-api';
import { currentStudioSession, endStudioSession, openStudioSession } from '../../server/studio-session';
import { USER_ID_PATTERN } from '../../server/session';

/** Studio sign-in with a team API key (or the platform admin key). */
export async function studioSignIn(formData: FormData): Promise<void> {
  const apiKey = String(formData.get('apiKey') ?? '').trim();
  if (apiKey === '') redirect('/admin?error=invalid-key');
  const signedIn = await openStudioSession(apiKey, await isHttps());
  redirect(signedIn.ok ? '/admin' : `/admin?error=${signedIn.reason}`);
}

export async function studioSignOut(): Promise<void> {
  await endStudioSession();
  redirect('/admin');
}

/** What the editor gets back from publishing or deleting: a summary, or the problems at their JSON paths. */
export type StudioOutcome =
  | { ok: true; message: string }
  | { ok: false; message: string; errors: { pointer?: string; detail: string }[] };

export interface WidgetTarget {
  productId: string;
  /** "generic", user ids separated by commas, spaces or new lines, or one of the product's segments. */
  audience: 'generic' | 'users' | 'segment';
  userIds: string;
  segmentId: string;
}

/** When a publish is shown: the editor's date-time inputs (UTC, "YYYY-MM-DDTHH:mm"); empty: open. */
export interface WindowInput {
  activeFrom: string;
  activeUntil: string;
}

/** Most users one publish from the studio reaches (product-api's campaign limit). */
const MAX_USERS = 1_000;

function parseTarget({ audience, userIds, segmentId }: WidgetTarget): PublishTarget | string {
  if (audience === 'generic') return { kind: 'generic' };
  if (audience === 'segment') return segmentId === '' ? 'Choose a segment.' : { kind: 'segment', segmentId };
  const ids = [...new Set(userIds.split(/[\s,]+/).filter((id) => id !== ''))];
  if (ids.length === 0) return 'List at least one user id.';
  if (ids.length > MAX_USERS) return `List at most ${MAX_USERS} user ids.`;
  const bad = ids.find((id) => !USER_ID_PATTERN.test(id));
  if (bad !== undefined) return `“${bad}” is not a user id (letters, digits, “.”, “_” and “-”).`;
  return { kind: 'users', userIds: ids };
}

function outcome(
  result: ApiResult<{ audience: string; dataVersion: number }[]>,
  done: string,
): StudioOutcome {
  if (result.ok) {
    const versions = result.value.map((a) => `${a.audience} v${a.dataVersion}`);
    return {
      ok: true,
      message: `${done}: ${versions.slice(0, 5).join(', ')}${versions.length > 5 ? ` and ${versions.length - 5} more` : ''}.`,
    };
  }
  return refused(result);
}

/** An API's refusal as the editor shows it; an expired session signs in again. */
function refused(result: Extract<ApiResult<unknown>, { ok: false }>): StudioOutcome & { ok: false } {
  if (result.status === 401) redirect('/admin?error=expired');
  // A refused window or segment is not in the widget: it is said in the message, by the field it names.
  const outside = result.errors.filter(isOutsideWidget);
  return {
    ok: false,
    message: [
      result.detail,
      ...outside.map((e) => `${e.pointer?.slice(1) ?? e.parameter} ${e.detail}.`),
    ].join(' '),
    errors: result.errors
      .filter((e) => !isOutsideWidget(e))
      .map(({ pointer, parameter, detail }) => ({
        // product-api locates problems in its request body ({ widget } or { widgets: [{ widget }] }); the
        // editor shows them in the widget.
        pointer: pointer?.replace(/^\/widgets\/\d+\/widget|^\/widget/, '') ?? parameter,
        detail,
      })),
  };
}

const isOutsideWidget = ({ pointer, parameter }: { pointer?: string; parameter?: string }) =>
  pointer === '/activeFrom' || pointer === '/activeUntil' || parameter === 'segmentId';

async function signedIn() {
  const studio = await currentStudioSession();
  if (studio === undefined) redirect('/admin?error=expired');
  return studio;
}

/** A date-time input's value read as UTC; product-api checks the window itself. */
const utc = (value: string) => (value === '' ? undefined : `${value.length === 16 ? `${value}:00` : value}Z`);

export async function publishFromStudio(
  target: WidgetTarget,
  widget: unknown,
  { activeFrom, activeUntil }: WindowInput,
): Promise<StudioOutcome> {
  const { token } = await signedIn();
  const parsed = parseTarget(target);
  if (typeof parsed === 'string') return { ok: false, message: parsed, errors: [] };
  const window: PublishWindow = { activeFrom: utc(activeFrom), activeUntil: utc(activeUntil) };
  if (parsed.kind === 'users' && parsed.userIds.length > 1 && (activeFrom || activeUntil))
    return {
      ok: false,
      message: 'A window is set for the generic widget, a segment or one user, not a list of users.',
      errors: [],
    };
  const result = outcome(await publishWidget(token, target.productId, parsed, widget, window), 'Published');
  revalidatePath(`/admin/products/${target.productId}`);
  return result;
}

export async function deleteFromStudio(target: WidgetTarget): Promise<StudioOutcome> {
  const { token } = await signedIn();
  const parsed = parseTarget(target);
  if (typeof parsed === 'string') return { ok: false, message: parsed, errors: [] };
  const result = outcome(await deleteWidget(token, target.productId, parsed), 'Deleted');
  revalidatePath(`/admin/products/${target.productId}`);
  return result;
}

/**
 * Saves the editor's widget as a draft, without publishing it: of the generic widget, or of one user's (a
 * draft belongs to one audience).
 */
export async function saveDraftFromStudio(target: WidgetTarget, widget: unknown): Promise<StudioOutcome> {
  const { token } = await signedIn();
  const parsed = parseTarget(target);
  if (typeof parsed === 'string') return { ok: false, message: parsed, errors: [] };
  if (parsed.kind === 'segment' || (parsed.kind === 'users' && parsed.userIds.length !== 1))
    return { ok: false, message: 'A draft is saved for the generic widget or for one user.', errors: [] };
  const audience = parsed.kind === 'generic' ? 'generic' : `user:${parsed.userIds[0]}`;
  const result = await saveDraft(token, target.productId, audience, widget);
  if (result.ok) return { ok: true, message: `Draft saved for ${audience}; it is not published.` };
  return outcome(result, 'Saved');
}

/** A preview's answer: the user's whole home screen with the draft in its slot, or why there is none. */
export type PreviewOutcome = { ok: true; screen: Screen } | (StudioOutcome & { ok: false });

/**
 * "Preview as user": `userId`'s whole home screen with the editor's widget in the product's slot, as
 * core-api composes it, without publishing anything. The widget stands in for the target's audience.
 */
export async function previewAsUserFromStudio(
  target: WidgetTarget,
  userId: string,
  widget: unknown,
): Promise<PreviewOutcome> {
  const { token } = await signedIn();
  if (!USER_ID_PATTERN.test(userId))
    return {
      ok: false,
      message: `“${userId}” is not a user id (letters, digits, “.”, “_” and “-”).`,
      errors: [],
    };
  const result = await previewAsUser(token, {
    userId,
    productId: target.productId,
    widget,
    // A segment's widget stands above the generic one for its members, as a user's own does.
    audience: target.audience === 'generic' ? 'generic' : 'personalised',
  });
  if (!result.ok) return refused(result);
  const decoded = decodeScreen(result.value);
  if (!decoded.ok) return { ok: false, message: `The screen cannot be shown: ${decoded.reason}`, errors: [] };
  return { ok: true, screen: decoded.screen };
}

/** Publishes an earlier version of a widget again, as a new version. */
export async function rollBackFromStudio(
  productId: string,
  audience: string,
  dataVersion: number,
): Promise<StudioOutcome> {
  const { token } = await signedIn();
  const result = await rollBack(token, productId, audience, dataVersion);
  revalidatePath(`/admin/products/${productId}`);
  // The history page the rollback was made on shows the new version in place.
  revalidatePath(`/admin/products/${productId}/history`);
  return outcome(
    result.ok ? { ok: true, value: [result.value] } : result,
    `Rolled back to v${dataVersion} as`,
  );
}

export async function saveLayoutFromStudio(productIds: string[]): Promise<StudioOutcome> {
  const { token } = await signedIn();
  const result = await saveHomeLayout(token, productIds);
  if (result.ok) return { ok: true, message: `Saved: ${result.value.productIds.join(' › ')}.` };
  if (result.status === 401) redirect('/admin?error=expired');
  return { ok: false, message: result.detail, errors: result.errors };
}

const experimentPath = (productId: string, experimentId: string) =>
  `/admin/products/${productId}/experiments/${experimentId}`;

/** Stops a running experiment; its page then offers to publish a winner. */
export async function stopExperimentFromStudio(
  productId: string,
  experimentId: string,
): Promise<StudioOutcome> {
  const { token } = await signedIn();
  const result = await stopExperiment(token, productId, experimentId);
  revalidatePath(experimentPath(productId, experimentId));
  revalidatePath(`/admin/products/${productId}`);
  if (result.ok) return { ok: true, message: `Stopped ${experimentId}.` };
  return refused(result);
}

/** Publishes a stopped experiment's variant to its audience, as a new version of that widget. */
export async function publishWinnerFromStudio(
  productId: string,
  experimentId: string,
  variantId: string,
): Promise<StudioOutcome> {
  const { token } = await signedIn();
  const result = await publishWinner(token, productId, experimentId, variantId);
  revalidatePath(`/admin/products/${productId}`);
  return outcome(result.ok ? { ok: true, value: [result.value] } : result, `Published ${variantId} as`);
}
