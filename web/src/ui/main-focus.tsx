import { useEffect, useRef, type RefObject } from 'react';
import { useLocation } from 'react-router';
import classes from './skip-link.module.css';

/** The first thing Tab reaches: straight to the page's content, past the header and navigation. */
export function SkipLink({ to = 'main' }: { to?: string }) {
  return (
    <a href={`#${to}`} className={classes.skipLink}>
      Skip to main content
    </a>
  );
}

/**
 * After moving to another page, focus goes to that page's heading (as a screen reader expects from
 * a new page), not left on the link that was clicked or on the body. A page may still be loading:
 * wait for its heading a little while. Search-parameter changes (filters, pages) keep focus.
 */
export function useFocusHeadingOnNavigate(main: RefObject<HTMLElement | null>) {
  const { pathname } = useLocation();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    let tries = 0;
    // Focus the user (or a page's own autofocus) moved since the navigation is theirs: leave it there.
    const before = document.activeElement;
    const moved = () => document.activeElement !== before && document.activeElement !== document.body;
    const timer = window.setInterval(() => {
      if (moved()) {
        window.clearInterval(timer);
        return;
      }
      const heading = main.current?.querySelector<HTMLElement>('h1, h2');
      if (heading || ++tries > 40) {
        window.clearInterval(timer);
        if (!heading) return;
        if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
        heading.focus({ preventScroll: true });
      }
    }, 50);
    return () => window.clearInterval(timer);
  }, [pathname, main]);
}
