import type { ComponentProps } from 'react';
import { cn } from '../../lib/utils';
import { buttonClasses, type ButtonVariant } from './button-variants';

export type ButtonProps = ComponentProps<'button'> & ButtonVariant;

export function Button({ className, variant, size, type = 'button', ...props }: ButtonProps) {
  return (
    <button
      // `type="button"` by default: a bare <button> inside a form would submit it.
      type={type}
      className={cn(buttonClasses({ variant, size }), className)}
      {...props}
    />
  );
}
