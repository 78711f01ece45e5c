import { withAuth } from "next-auth/middleware";

// Pages need a session; the agent API authenticates with bearer tokens; auth routes and the icons and
// web manifest (fetched without cookies by browsers) are public.
export default withAuth({ pages: { signIn: "/login" } });

export const config = {
  matcher: [
    "/((?!api/auth|api/agent|api/health|login|_next/static|_next/image|favicon.ico|icon.svg|icon-192.png|icon-512.png|apple-touch-icon.png|manifest.webmanifest).*)",
  ],
};
