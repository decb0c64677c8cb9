const variants = {
  primary: 'bg-primary text-on-primary hover:bg-primary/90',
  secondary: 'border border-border bg-surface-raised text-on-surface hover:bg-on-surface/5',
  ghost: 'text-on-surface hover:bg-on-surface/10',
} as const;

const sizes = {
  md: 'h-10 px-4 text-sm',
  icon: 'size-9',
} as const;

export interface ButtonVariant {
  variant?: keyof typeof variants;
  size?: keyof typeof sizes;
}

/**
 * A button's classes without tailwind-merge, so that a client component of the home screen can style a
 * button without shipping the merger (about 8 KB gzip) to every visitor.
 */
export function buttonClasses({ variant = 'primary', size = 'md' }: ButtonVariant = {}): string {
  return `inline-flex cursor-pointer items-center justify-center gap-2 rounded-md font-medium transition-colors disabled:pointer-events-none disabled:opacity-50 ${variants[variant]} ${sizes[size]}`;
}
