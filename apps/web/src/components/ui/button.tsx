import type { ComponentProps } from 'react';
import { cn } from '../../lib/utils';

const variants = {
  primary: 'bg-primary text-on-primary hover:bg-primary/90',
  secondary: 'border border-border bg-surface-raised text-on-surface hover:bg-on-surface/5',
  ghost: 'text-on-surface hover:bg-on-surface/10',
} as const;

const sizes = {
  md: 'h-10 px-4 text-sm',
  icon: 'size-9',
} as const;

export type ButtonProps = ComponentProps<'button'> & {
  variant?: keyof typeof variants;
  size?: keyof typeof sizes;
};

export function Button({
  className,
  variant = 'primary',
  size = 'md',
  type = 'button',
  ...props
}: ButtonProps) {
  return (
    <button
      // `type="button"` by default: a bare <button> inside a form would submit it.
      type={type}
      className={cn(
        'inline-flex cursor-pointer items-center justify-center gap-2 rounded-md font-medium transition-colors disabled:pointer-events-none disabled:opacity-50',
        variants[variant],
        sizes[size],
        className,
      )}
      {...props}
    />
  );
}
