import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createBrowserRouter, Navigate, RouterProvider } from 'react-router';
import { isApiError } from './api/client';
import { auditKey } from './features/audit/audit-api';
import { RequireSession } from './features/auth/require-session';
import { sessionKey } from './features/auth/session';
import { AppLayout } from './layout/app-layout';
import { ApiTokensPage } from './pages/api-tokens-page';
import { InvitePage } from './pages/invite-page';
import { LocationsPage } from './pages/locations-page';
import { ArAgingPage } from './pages/ar-aging-page';
import { DenialsPage } from './pages/denials-page';
import { ExceptionsPage } from './pages/exceptions-page';
import { LoginPage } from './pages/login-page';
import { NewPaymentPage } from './pages/new-payment-page';
import { NotFoundPage } from './pages/not-found-page';
import { OverAppliedPage } from './pages/over-applied-page';
import { ProcessorReconciliationPage } from './pages/processor-reconciliation-page';
import { UnidentifiedReceiptsPage } from './pages/unidentified-receipts-page';
import { PatientDetailPage } from './pages/patient-detail-page';
import { PatientsPage } from './pages/patients-page';
import { PaymentDetailPage } from './pages/payment-detail-page';
import { PayerBalancesPage } from './pages/payer-balances-page';
import { PaymentsPage } from './pages/payments-page';
import { PaymentLinkPage } from './portal/payment-link-page';
import { PortalPage } from './portal/portal-page';
import { RemittanceDetailPage } from './pages/remittance-detail-page';
import { RemittancesPage } from './pages/remittances-page';
import { SettingsPage } from './pages/settings-page';
import { StaffPage } from './pages/staff-page';
import { TasksPage } from './pages/tasks-page';
import { TreatmentPage } from './pages/treatment-page';
import { WebhooksPage } from './pages/webhooks-page';
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

const router = createBrowserRouter([
  { path: '/login', element: <LoginPage /> },
  // An invited user sets a password here: no session yet.
  { path: '/invite/:token', element: <InvitePage /> },
  // Patient pages: no staff layout, no login.
  { path: '/pay', element: <PortalPage /> },
  { path: '/pay/:token', element: <PaymentLinkPage /> },
  {
    path: '/',
    element: (
      <RequireSession>
        <AppLayout />
      </RequireSession>
    ),
    children: [
      { index: true, element: <Navigate to="/payments" replace /> },
      { path: 'payments', element: <PaymentsPage /> },
      { path: 'payments/new', element: <NewPaymentPage /> },
      { path: 'payments/:id', element: <PaymentDetailPage /> },
      { path: 'patients', element: <PatientsPage /> },
      { path: 'patients/:id', element: <PatientDetailPage /> },
      { path: 'treatments/:id', element: <TreatmentPage /> },
      { path: 'over-applied', element: <OverAppliedPage /> },
      { path: 'reports/processor-reconciliation', element: <ProcessorReconciliationPage /> },
      { path: 'reports/unidentified-receipts', element: <UnidentifiedReceiptsPage /> },
      { path: 'reports/ar-aging', element: <ArAgingPage /> },
      { path: 'remittances', element: <RemittancesPage /> },
      { path: 'remittances/:id', element: <RemittanceDetailPage /> },
      { path: 'exceptions', element: <ExceptionsPage /> },
      { path: 'denials', element: <DenialsPage /> },
      { path: 'payer-balances', element: <PayerBalancesPage /> },
      { path: 'tasks', element: <TasksPage /> },
      { path: 'settings', element: <SettingsPage /> },
      { path: 'settings/api-tokens', element: <ApiTokensPage /> },
      { path: 'settings/locations', element: <LocationsPage /> },
      { path: 'settings/staff', element: <StaffPage /> },
      { path: 'settings/webhooks', element: <WebhooksPage /> },
      { path: '*', element: <NotFoundPage /> },
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
