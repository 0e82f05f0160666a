import '@mantine/core/styles.css';
import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { PortalApp } from './portal/portal-app';
import { cssVariablesResolver, theme } from './ui/theme';

/**
 * The patient pages' own entry (portal.html, served for /pay and /pay/:token):
 * the portal and payment links only — none of the staff app, its charts,
 * dates or upload pieces — so a patient on a phone loads little.
 */
const root = document.getElementById('root');
if (!root) throw new Error('portal.html has no #root element');

const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false } } });

createRoot(root).render(
  <StrictMode>
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="light">
      <QueryClientProvider client={queryClient}>
        <PortalApp />
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
