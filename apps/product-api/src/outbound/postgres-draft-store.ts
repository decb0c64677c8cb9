import { Inject, Injectable } from '@nestjs/common';
import { PRODUCT_DATABASE, type ProductDatabaseClient } from '@hwp/product-db';
import type { Widget } from '@hwp/sdui-schema';
import type { PostgresConnection } from '@hwp/service-kit';
import type { Audience } from '@hwp/widget-events';
import type { Actor, Caller } from '../domain/audit';
import type { Draft, DraftStore } from '../domain/publishing';
import { auditRow } from './postgres-audit-log';

@Injectable()
export class PostgresDraftStore implements DraftStore {
  constructor(@Inject(PRODUCT_DATABASE) private readonly db: PostgresConnection<ProductDatabaseClient>) {}

  /** The draft and its audit record in one transaction. */
  async save(productId: string, audience: Audience, widget: Widget, caller: Caller): Promise<Draft> {
    const row = {
      content: widget as object,
      actorKind: caller.actor.kind,
      actorId: caller.actor.id,
      savedAt: new Date(),
    };
    const [draft] = await this.db.client.$transaction([
      this.db.client.widgetDraft.upsert({
        where: { productId_audience: { productId, audience } },
        create: { productId, audience, ...row },
        update: row,
      }),
      this.db.client.auditRecord.create({ data: auditRow(caller, 'save-draft', productId, audience) }),
    ]);
    return toDraft(draft);
  }

  async find(productId: string, audience: Audience): Promise<Draft | undefined> {
    const draft = await this.db.client.widgetDraft.findUnique({
      where: { productId_audience: { productId, audience } },
    });
    return draft ? toDraft(draft) : undefined;
  }
}

function toDraft(row: { content: unknown; actorKind: string; actorId: string; savedAt: Date }): Draft {
  return {
    content: row.content,
    actor: { kind: row.actorKind as Actor['kind'], id: row.actorId },
    savedAt: row.savedAt,
  };
}
