/** `productId|audience|dataVersion`: identifies a widget version on the screen, or the one a change announces. */
export const provenanceKey = (p: { productId: string; audience: string; dataVersion: string }): string =>
  `${p.productId}|${p.audience}|${p.dataVersion}`;
