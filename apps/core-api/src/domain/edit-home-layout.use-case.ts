import { layoutProblems, type HomeLayout, type LayoutProblem } from './home-layout';
import type { HomeLayoutStore, LayoutChanges } from './studio.ports';

export type LayoutEdit =
  | { ok: true; layout: HomeLayout; announced: boolean }
  | { ok: false; problems: LayoutProblem[] };

/**
 * An admin replaces the home layout: checked, saved, then announced to every core-api instance. The
 * database is the truth: when the announcement cannot be sent (cache Redis down), every instance still
 * reloads the layout once its in-process copy expires (GENERIC_TTL_MS), so the edit is not refused.
 */
export class EditHomeLayout {
  constructor(
    private readonly store: HomeLayoutStore,
    private readonly changes: LayoutChanges,
  ) {}

  read(): Promise<HomeLayout> {
    return this.store.read();
  }

  async replace(productIds: readonly string[], knownProducts: readonly string[]): Promise<LayoutEdit> {
    const problems = layoutProblems(productIds, knownProducts);
    if (problems.length > 0) return { ok: false, problems };
    const layout = await this.store.replace(productIds);
    const announced = await this.changes.announce().then(
      () => true,
      () => false,
    );
    return { ok: true, layout, announced };
  }
}
