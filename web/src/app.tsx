import { createTheme, MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createBrowserRouter, Navigate, RouterProvider } from 'react-router';
import { isApiError } from './api/client';
import { RequireSession } from './features/auth/require-session';
import { sessionKey } from './features/auth/session';
import { AppLayout } from './layout/app-layout';
import { LoginPage } from './pages/login-page';
import { NewPaymentPage } from './pages/new-payment-page';
import { NotFoundPage } from './pages/not-found-page';
import { PatientDetailPage } from './pages/patient-detail-page';
import { PatientsPage } from './pages/patients-page';
import { PaymentDetailPage } from './pages/payment-detail-page';
import { PaymentsPage } from './pages/payments-page';

const theme = createTheme({
  primaryColor: 'teal',
  defaultRadius: 'md',
});

/** A 401 anywhere means the session ended: forget it, and RequireSession sends the user to log in. */
function onAnyError(error: unknown) {
  if (isApiError(error) && error.status === 401) queryClient.setQueryData(sessionKey, null);
}

const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: onAnyError }),
  mutationCache: new MutationCache({ onError: onAnyError }),
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
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);

export function App() {
  return (
    <MantineProvider theme={theme} defaultColorScheme="light">
      <Notifications position="top-right" />
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>
  );
}
