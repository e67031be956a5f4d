import { useEffect, useState } from 'react';

/**
 * A very small router for the portal's few pages under /portal (history API; no dependency).
 * Links are plain <a href>: a click on a same-origin /portal link is taken over, everything else
 * (downloads, new tabs, modified clicks) is left to the browser.
 */
export function navigate(to: string, replace = false): void {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new Event('portal:navigate'));
}

const read = () => ({ path: location.pathname.replace(/\/+$/, '') || '/', search: location.search });

export function useLocation(): { path: string; search: URLSearchParams } {
  const [loc, setLoc] = useState(read);
  useEffect(() => {
    const update = () => setLoc(read());
    window.addEventListener('popstate', update);
    window.addEventListener('portal:navigate', update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener('portal:navigate', update);
    };
  }, []);
  return { path: loc.path, search: new URLSearchParams(loc.search) };
}

/** Click handler for the whole document: in-portal links navigate without a reload. */
export function interceptLinks(event: MouseEvent): void {
  if (
    event.defaultPrevented ||
    event.button !== 0 ||
    event.metaKey ||
    event.ctrlKey ||
    event.shiftKey ||
    event.altKey
  )
    return;
  const a = (event.target as Element | null)?.closest?.('a');
  if (!a || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || !/^\/portal(\/|$)/.test(url.pathname)) return;
  event.preventDefault();
  if (url.pathname + url.search !== location.pathname + location.search) navigate(url.pathname + url.search);
  if (url.hash) document.getElementById(url.hash.slice(1))?.focus();
}
