import type { ComponentProps } from 'react';
import { cn } from '../../lib/utils';

/**
 * Table parts in the shadcn style, so that the studio's tables share one look: ruled rows, cells padded
 * alike (`dense` for the smaller tables beside a chart), muted column headings.
 */
export function Table({ className, dense, ...props }: ComponentProps<'table'> & { dense?: boolean }) {
  return (
    <table
      className={cn('w-full text-left text-sm', dense && '[&_td]:py-1 [&_th]:py-1', className)}
      {...props}
    />
  );
}

export function TableCaption({ className, ...props }: ComponentProps<'caption'>) {
  return <caption className={cn('mb-1 text-left font-medium', className)} {...props} />;
}

/** The column headings' row group; its one row takes plain `TableHead`s. */
export function TableHeader({ className, children, ...props }: ComponentProps<'thead'>) {
  return (
    <thead className={cn('border-b border-border text-muted', className)} {...props}>
      <tr>{children}</tr>
    </thead>
  );
}

export function TableRow({ className, ...props }: ComponentProps<'tr'>) {
  return <tr className={cn('border-b border-border', className)} {...props} />;
}

/** A column heading, or with `scope="row"` the heading of its row. */
export function TableHead({ className, scope = 'col', ...props }: ComponentProps<'th'>) {
  return <th scope={scope} className={cn('py-2 pr-3 font-medium last:pr-0', className)} {...props} />;
}

export function TableCell({ className, ...props }: ComponentProps<'td'>) {
  return <td className={cn('py-2 pr-3 last:pr-0', className)} {...props} />;
}
