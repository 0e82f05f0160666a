import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createBrowserRouter, Navigate, RouterProvider } from 'react-router';
import { isApiError } from './api/client';
import { auditKey } from './features/audit/audit-api';
import { RequireSession } from './features/auth/require-session';
import { sessionKey, sessionQuery } from './features/auth/session';
import { readListParams } from './features/payments/list-params';
import { paymentsListQuery } from './features/payments/payments-api';
import { AppLayout } from './layout/app-layout';
import { LoginPage } from './pages/login-page';
import { PaymentsPage } from './pages/payments-page';
import { cssVariablesResolver, theme } from './ui/theme';

/** A 401 anywhere means the session ended: forget it, and RequireSession sends the user to log in. */
function onAnyError(error: unknown) {
  if (isApiError(error) && error.status === 401) queryClient.setQueryData(sessionKey, null);
}

const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: onAnyError }),
  // Any change the app makes is in the audit trail at once: refresh every history panel.
  mutationCache: new MutationCache({ onError: onAnyError, onSuccess: () => void queryClient.invalidateQueries({ queryKey: auditKey }) }),
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      refetchOnWindowFocus: true,
      // Retrying cannot fix a 4xx answer.
      retry: (failures, error) => !(isApiError(error) && error.status >= 400 && error.status < 500) && failures < 2,
    },
  },
});

// Each page is its own chunk, loaded by the router before it renders (so the focus move to the new page's heading still finds it).
// The patient pages are served from their own entry (portal.html); they stay here for the dev server.
// A loader only starts a page's first request, at the same time as the page's code and the session check, rather than
// after both (ADR 0034); it waits for nothing, so the page shows its own loading state as before.
const router = createBrowserRouter([
  { path: '/login', element: <LoginPage /> },
  // An invited user sets a password here: no session yet.
  { path: '/invite/:token', lazy: () => import('./pages/invite-page').then((m) => ({ Component: m.InvitePage })) },
  // Patient pages: no staff layout, no login.
  { path: '/pay', lazy: () => import('./portal/portal-app').then((m) => ({ Component: m.PortalApp })) },
  { path: '/pay/:token', lazy: () => import('./portal/portal-app').then((m) => ({ Component: m.PortalApp })) },
  {
    path: '/',
    loader: () => {
      void queryClient.prefetchQuery(sessionQuery);
      return null;
    },
    element: (
      <RequireSession>
        <AppLayout />
      </RequireSession>
    ),
    children: [
      { index: true, element: <Navigate to="/payments" replace /> },
      {
        path: 'payments',
        loader: ({ request }) => {
          void queryClient.prefetchQuery(paymentsListQuery(readListParams(new URL(request.url).searchParams)));
          return null;
        },
        // In the entry, not a chunk of its own: `/` and signing in lead here, so its code comes with the first
        // file instead of a second wave of ~30 small ones (ADR 0047).
        Component: PaymentsPage,
      },
      { path: 'payments/new', lazy: () => import('./pages/new-payment-page').then((m) => ({ Component: m.NewPaymentPage })) },
      { path: 'payments/:id', lazy: () => import('./pages/payment-detail-page').then((m) => ({ Component: m.PaymentDetailPage })) },
      { path: 'patients', lazy: () => import('./pages/patients-page').then((m) => ({ Component: m.PatientsPage })) },
      { path: 'patients/:id', lazy: () => import('./pages/patient-detail-page').then((m) => ({ Component: m.PatientDetailPage })) },
      { path: 'treatments/:id', lazy: () => import('./pages/treatment-page').then((m) => ({ Component: m.TreatmentPage })) },
      { path: 'over-applied', lazy: () => import('./pages/over-applied-page').then((m) => ({ Component: m.OverAppliedPage })) },
      { path: 'reports/processor-reconciliation', lazy: () => import('./pages/processor-reconciliation-page').then((m) => ({ Component: m.ProcessorReconciliationPage })) },
      { path: 'reports/unidentified-receipts', lazy: () => import('./pages/unidentified-receipts-page').then((m) => ({ Component: m.UnidentifiedReceiptsPage })) },
      { path: 'reports/ar-aging', lazy: () => import('./pages/ar-aging-page').then((m) => ({ Component: m.ArAgingPage })) },
      { path: 'remittances', lazy: () => import('./pages/remittances-page').then((m) => ({ Component: m.RemittancesPage })) },
      { path: 'remittances/:id', lazy: () => import('./pages/remittance-detail-page').then((m) => ({ Component: m.RemittanceDetailPage })) },
      { path: 'exceptions', lazy: () => import('./pages/exceptions-page').then((m) => ({ Component: m.ExceptionsPage })) },
      { path: 'denials', lazy: () => import('./pages/denials-page').then((m) => ({ Component: m.DenialsPage })) },
      { path: 'payer-balances', lazy: () => import('./pages/payer-balances-page').then((m) => ({ Component: m.PayerBalancesPage })) },
      { path: 'tasks', lazy: () => import('./pages/tasks-page').then((m) => ({ Component: m.TasksPage })) },
      { path: 'settings', lazy: () => import('./pages/settings-page').then((m) => ({ Component: m.SettingsPage })) },
      { path: 'settings/api-tokens', lazy: () => import('./pages/api-tokens-page').then((m) => ({ Component: m.ApiTokensPage })) },
      { path: 'settings/locations', lazy: () => import('./pages/locations-page').then((m) => ({ Component: m.LocationsPage })) },
      { path: 'settings/staff', lazy: () => import('./pages/staff-page').then((m) => ({ Component: m.StaffPage })) },
      { path: 'settings/webhooks', lazy: () => import('./pages/webhooks-page').then((m) => ({ Component: m.WebhooksPage })) },
      { path: '*', lazy: () => import('./pages/not-found-page').then((m) => ({ Component: m.NotFoundPage })) },
    ],
  },
]);

export function App() {
  return (
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="light">
      <Notifications position="top-right" />
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>
  );
}
