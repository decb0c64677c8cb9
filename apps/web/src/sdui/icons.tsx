import type { IconName } from '@hwp/sdui-schema';

/** The shared icon set as 24×24 stroked paths (drawn in currentColor). */
export const ICON_PATHS: Record<IconName, readonly string[]> = {
  'arrow-right': ['M5 12h14', 'M13 6l6 6-6 6'],
  'chevron-right': ['M9 6l6 6-6 6'],
  close: ['M6 6l12 12', 'M18 6L6 18'],
  check: ['M5 12.5l4.5 4.5L19 7.5'],
  star: ['M12 3.5l2.6 5.3 5.9.9-4.3 4.1 1 5.8L12 16.9l-5.2 2.7 1-5.8-4.3-4.1 5.9-.9z'],
  heart: ['M12 20s-7.5-4.6-7.5-10A4.3 4.3 0 0112 7.6 4.3 4.3 0 0119.5 10c0 5.4-7.5 10-7.5 10z'],
  cart: ['M3 4h2l2.4 11h10.2L20 8H6.2', 'M9 20h.01', 'M17 20h.01'],
  gift: ['M4 11h16v9H4z', 'M3 7h18v4H3z', 'M12 7v13', 'M12 7S10.5 3 8 4s1 3 4 3 5.5-2 4-3-4 3-4 3'],
  clock: ['M12 3a9 9 0 100 18 9 9 0 000-18z', 'M12 7v5l3 2'],
  bell: ['M6 16V11a6 6 0 0112 0v5l1.5 2h-15z', 'M10 20.5a2 2 0 004 0'],
  tag: ['M3 12V4h8l9 9-8 8z', 'M7.5 7.5h.01'],
  info: ['M12 3a9 9 0 100 18 9 9 0 000-18z', 'M12 11v5', 'M12 8h.01'],
  location: [
    'M12 21s-6.5-6-6.5-11a6.5 6.5 0 0113 0c0 5-6.5 11-6.5 11z',
    'M12 7.5a2.5 2.5 0 100 5 2.5 2.5 0 000-5z',
  ],
  search: ['M10.5 4a6.5 6.5 0 100 13 6.5 6.5 0 000-13z', 'M15.5 15.5L20 20'],
  user: ['M12 4a4 4 0 100 8 4 4 0 000-8z', 'M4.5 20a7.5 7.5 0 0115 0'],
  home: ['M4 11l8-7 8 7', 'M6 9.5V20h12V9.5', 'M10 20v-5h4v5'],
  ticket: ['M3 8V5h18v3a2.5 2.5 0 000 5v3H3v-3a2.5 2.5 0 000-5z', 'M14 5v12'],
  percent: ['M6 18L18 6', 'M7.5 5.5a2 2 0 100 4 2 2 0 000-4z', 'M16.5 14.5a2 2 0 100 4 2 2 0 000-4z'],
};

export function Icon({ name, className, label }: { name: IconName; className?: string; label?: string }) {
  return (
    <svg
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={2}
      strokeLinecap="round"
      strokeLinejoin="round"
      className={className}
      {...(label ? { role: 'img', 'aria-label': label } : { 'aria-hidden': true, focusable: false })}
    >
      {ICON_PATHS[name].map((d) => (
        <path key={d} d={d} />
      ))}
    </svg>
  );
}
