import { lazy, Suspense } from "react";
import { BrowserRouter, Navigate, Route, Routes } from "react-router-dom";
import { useSession } from "@/hooks/use-session";
import { LiveStatusProvider } from "@/hooks/use-live-status";
import { Spinner } from "@/components/ui/Spinner";
import { SignInPage } from "@/features/auth/components/SignInPage";
import { AuthCallback } from "@/features/auth/components/AuthCallback";
import { ComposePage } from "@/features/compose/components/ComposePage";
import { ConnectedPage } from "@/features/accounts/components/ConnectedPage";
import { AppProvider } from "./provider";
import { Layout } from "./Layout";

// Pages past the first one load when visited, so the first page stays small.
const CalendarPage = lazy(() => import("@/features/calendar/components/CalendarPage").then((m) => ({ default: m.CalendarPage })));
const RecentPostsPage = lazy(() => import("@/features/posts/components/RecentPostsPage").then((m) => ({ default: m.RecentPostsPage })));
const PostPage = lazy(() => import("@/features/posts/components/PostPage").then((m) => ({ default: m.PostPage })));
const AccountsPage = lazy(() => import("@/features/accounts/components/AccountsPage").then((m) => ({ default: m.AccountsPage })));
const ApiKeysPage = lazy(() => import("@/features/api-keys/components/ApiKeysPage").then((m) => ({ default: m.ApiKeysPage })));

function Routed() {
  const session = useSession();
  if (!session) {
    return (
      <Routes>
        <Route path="/auth/callback" element={<AuthCallback />} />
        <Route path="/connected" element={<ConnectedPage />} />
        <Route path="*" element={<SignInPage />} />
      </Routes>
    );
  }
  const b = session.businessId;
  return (
    <LiveStatusProvider enabled>
      <Suspense fallback={<Spinner />}>
        <Routes>
          <Route path="/connected" element={<ConnectedPage />} />
          <Route element={<Layout session={session} />}>
            <Route index element={<ComposePage businessId={b} />} />
            <Route path="/dashboard/scheduled" element={<CalendarPage businessId={b} />} />
            <Route path="/posts" element={<RecentPostsPage businessId={b} />} />
            <Route path="/posts/:postId" element={<PostPage />} />
            <Route path="/accounts" element={<AccountsPage businessId={b} />} />
            <Route path="/api-keys" element={<ApiKeysPage businessId={b} />} />
            <Route path="/auth/callback" element={<Navigate to="/" replace />} />
            <Route path="*" element={<Navigate to="/" replace />} />
          </Route>
        </Routes>
      </Suspense>
    </LiveStatusProvider>
  );
}

export function App() {
  return (
    <AppProvider>
      <BrowserRouter basename="/app" future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
        <Routed />
      </BrowserRouter>
    </AppProvider>
  );
}
