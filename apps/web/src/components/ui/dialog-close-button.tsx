'use client';

import * as DialogPrimitive from '@radix-ui/react-dialog';
import { buttonClasses } from './button-variants';

/** The labelled × in the top corner of every dialog and sheet (of the home screen too: no tailwind-merge). */
export function DialogCloseButton() {
  return (
    <DialogPrimitive.Close
      aria-label="Close"
      className={`${buttonClasses({ variant: 'ghost', size: 'icon' })} absolute top-3 right-3`}
    >
      <svg
        aria-hidden="true"
        viewBox="0 0 16 16"
        className="size-4"
        fill="none"
        stroke="currentColor"
        strokeWidth="2"
      >
        <path d="M3 3l10 10M13 3L3 13" />
      </svg>
    </DialogPrimitive.Close>
  );
}
