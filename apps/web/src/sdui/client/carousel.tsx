'use client';

import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

export interface CarouselProps {
  /** DOM id of the scrolling list (the buttons' aria-controls). */
  id: string;
  nodeId: string;
  /** The items, rendered on the server. */
  items: ReactNode[];
  itemClassName: string;
  gapClassName: string;
  showIndicators: boolean;
}

interface Position {
  index: number;
  atStart: boolean;
  atEnd: boolean;
}

function itemsOf(scroller: HTMLElement): HTMLElement[] {
  return Array.from(scroller.children) as HTMLElement[];
}

/** The item whose start is nearest the scroll position (the last one once scrolled to the end). */
function measure(scroller: HTMLElement): Position {
  const items = itemsOf(scroller);
  const left = Math.abs(scroller.scrollLeft);
  const atStart = left <= 1;
  const atEnd = left + scroller.clientWidth >= scroller.scrollWidth - 1;
  let index = 0;
  let nearest = Infinity;
  items.forEach((item, i) => {
    const distance = Math.abs(item.offsetLeft - left);
    if (distance < nearest) [index, nearest] = [i, distance];
  });
  return { index: atEnd && !atStart ? items.length - 1 : index, atStart, atEnd };
}

/**
 * A horizontally scrolling list: CSS scroll snap for touch and trackpads, Previous/Next buttons for the
 * mouse, and arrow keys, Home and End on the focusable list for the keyboard.
 */
export function Carousel({ id, nodeId, items, itemClassName, gapClassName, showIndicators }: CarouselProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const [position, setPosition] = useState<Position>({ index: 0, atStart: true, atEnd: items.length <= 1 });

  useEffect(() => {
    const element = scroller.current;
    if (element === null) return;
    let frame = 0;
    const update = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        const next = measure(element);
        setPosition((current) =>
          current.index === next.index && current.atStart === next.atStart && current.atEnd === next.atEnd
            ? current
            : next,
        );
      });
    };
    element.addEventListener('scroll', update, { passive: true });
    // Also runs once on observe, which settles the buttons for the real widths.
    const resize = new ResizeObserver(update);
    resize.observe(element);
    return () => {
      element.removeEventListener('scroll', update);
      resize.disconnect();
      cancelAnimationFrame(frame);
    };
  }, []);

  const scrollTo = (index: number) => {
    const element = scroller.current;
    if (element === null) return;
    const all = itemsOf(element);
    const [first] = all;
    const target = all[Math.min(Math.max(index, 0), all.length - 1)];
    // Smooth unless the user prefers reduced motion (scroll-behavior in globals.css).
    if (first && target) element.scrollTo({ left: target.offsetLeft - first.offsetLeft });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const index = {
      ArrowRight: position.index + 1,
      ArrowLeft: position.index - 1,
      Home: 0,
      End: items.length - 1,
    }[event.key];
    if (index === undefined) return;
    event.preventDefault();
    scrollTo(index);
  };

  const scrollable = !(position.atStart && position.atEnd);
  const arrow =
    'absolute top-1/2 z-10 inline-flex size-9 -translate-y-1/2 cursor-pointer items-center justify-center rounded-full border border-border bg-surface-raised text-on-surface shadow-md aria-disabled:cursor-default aria-disabled:opacity-40';

  return (
    <div
      data-sdui-id={nodeId}
      role="region"
      aria-roledescription="carousel"
      aria-label={`${items.length} items`}
      className="flex flex-col gap-2"
    >
      <div className="relative">
        {scrollable && (
          <button
            type="button"
            aria-controls={id}
            aria-label="Previous items"
            aria-disabled={position.atStart}
            onClick={() => !position.atStart && scrollTo(position.index - 1)}
            className={`${arrow} left-1`}
          >
            <Chevron flip />
          </button>
        )}
        <div
          id={id}
          ref={scroller}
          tabIndex={0}
          onKeyDown={onKeyDown}
          className={`sdui-scroller relative flex overflow-x-auto rounded-lg pb-2 ${gapClassName}`}
        >
          {items.map((item, i) => (
            <div
              key={i}
              role="group"
              aria-roledescription="slide"
              aria-label={`${i + 1} of ${items.length}`}
              className={`flex shrink-0 flex-col *:grow ${itemClassName}`}
            >
              {item}
            </div>
          ))}
        </div>
        {scrollable && (
          <button
            type="button"
            aria-controls={id}
            aria-label="Next items"
            aria-disabled={position.atEnd}
            onClick={() => !position.atEnd && scrollTo(position.index + 1)}
            className={`${arrow} right-1`}
          >
            <Chevron />
          </button>
        )}
      </div>
      {showIndicators && (
        <div aria-hidden className="flex justify-center gap-1.5">
          {items.map((_, i) => (
            <span
              key={i}
              className={`size-2 rounded-full ${i === position.index ? 'bg-on-surface' : 'bg-on-surface/25'}`}
            />
          ))}
        </div>
      )}
    </div>
  );
}

function Chevron({ flip = false }: { flip?: boolean }) {
  return (
    <svg
      aria-hidden
      viewBox="0 0 24 24"
      className={`size-5 ${flip ? 'rotate-180' : ''}`}
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
    >
      <path d="M9 6l6 6-6 6" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
