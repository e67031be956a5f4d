import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';

type ItemListener = (itemId: string) => void;

type Live = { connected: boolean; onItemChanged(listener: ItemListener): () => void };

const LiveContext = createContext<Live | null>(null);

/**
 * One Server-Sent Events connection per signed-in tab (GET /api/v1/notifications/stream). The
 * stream sends `item.changed` with {"itemId"} for items this user may see; pages subscribe and
 * reload what they show. EventSource reconnects by itself after a drop.
 */
export function LiveProvider({ children }: { children: ReactNode }) {
  const listeners = useRef(new Set<ItemListener>());
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const source = new EventSource('/api/v1/notifications/stream');
    source.addEventListener('ready', () => setConnected(true));
    source.addEventListener('error', () => setConnected(false));
    source.addEventListener('item.changed', (e: MessageEvent<string>) => {
      let itemId: unknown;
      try {
        itemId = (JSON.parse(e.data) as { itemId?: unknown }).itemId;
      } catch {
        return;
      }
      if (typeof itemId !== 'string') return;
      for (const l of listeners.current) l(itemId);
    });
    return () => source.close();
  }, []);
  const onItemChanged = useCallback((listener: ItemListener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);
  const value = useMemo(() => ({ connected, onItemChanged }), [connected, onItemChanged]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

/** Calls `listener` whenever an item the user may see changes (latest listener, no re-subscribe). */
export function useItemChanges(listener: ItemListener): void {
  const live = useContext(LiveContext);
  const latest = useRef(listener);
  latest.current = listener;
  const subscribe = live?.onItemChanged;
  useEffect(() => subscribe?.((id) => latest.current(id)), [subscribe]);
}

export function useLiveConnected(): boolean {
  return useContext(LiveContext)?.connected ?? false;
}
