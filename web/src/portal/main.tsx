import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { PrefsProvider } from './prefs.tsx';
import './portal.css';

/** 公众门户: its own entry (portal.html), no antd, none of the signed-in app's code. */
const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <PrefsProvider>
        <App />
      </PrefsProvider>
    </StrictMode>,
  );
