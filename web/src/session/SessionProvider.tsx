import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, isUnauthenticated, onSessionEnded, setCsrfToken } from '../api/client.ts';
import type { Me } from '../api/types.ts';

type SessionState = { status: 'loading' } | { status: 'anonymous' } | { status: 'signed-in'; me: Me };

type Session = {
  state: SessionState;
  login(username: string, password: string): Promise<void>;
  logout(): Promise<void>;
};

const SessionContext = createContext<Session | null>(null);

type WithCsrf = { user: Me; csrfToken?: string };

/** Who is signed in, from GET /api/v1/users/me at start and POST /api/v1/auth/login after. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  // A 401 from any page means the session is gone: back to the login page (which returns here).
  useEffect(() => {
    onSessionEnded(() => {
      setCsrfToken(null);
      setState({ status: 'anonymous' });
    });
    return () => onSessionEnded(null);
  }, []);
  useEffect(() => {
    let live = true;
    api<WithCsrf>('/api/v1/users/me').then(
      (res) => {
        setCsrfToken(res.csrfToken ?? null);
        if (live) setState({ status: 'signed-in', me: res.user });
      },
      (err: unknown) => {
        if (!isUnauthenticated(err)) console.error(err);
        if (live) setState({ status: 'anonymous' });
      },
    );
    return () => {
      live = false;
    };
  }, []);
  const login = useCallback(async (username: string, password: string) => {
    const res = await api<WithCsrf>('/api/v1/auth/login', { body: { username, password } });
    setCsrfToken(res.csrfToken ?? null);
    setState({ status: 'signed-in', me: res.user });
  }, []);
  const logout = useCallback(async () => {
    try {
      await api<null>('/api/v1/auth/logout', { method: 'POST' });
    } finally {
      setCsrfToken(null);
      setState({ status: 'anonymous' });
    }
  }, []);
  const value = useMemo(() => ({ state, login, logout }), [state, login, logout]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The signed-in user; only for pages under the signed-in layout. */
export function useMe(): Me {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useMe without a session');
  return state.me;
}
