import { withAuth } from "next-auth/middleware";

// Pages need a session; the agent API authenticates with bearer tokens and auth routes are public.
export default withAuth({ pages: { signIn: "/login" } });

export const config = {
  matcher: ["/((?!api/auth|api/agent|api/health|login|_next/static|_next/image|favicon.ico).*)"],
};
