import { Injectable } from '@nestjs/common';
import { sampleProduct } from '@hwp/sample-products';
import type { Widget } from '@hwp/sdui-schema';
import type { Personaliser } from '../domain/publishing';

/** The demo's product backends (libs/sample-products), hosted in product-api. */
@Injectable()
export class SamplePersonaliser implements Personaliser {
  supports(productId: string): boolean {
    return sampleProduct(productId) !== undefined;
  }

  widgetFor(productId: string, userId: string): Widget | null {
    return sampleProduct(productId)?.widget(userId) ?? null;
  }
}
