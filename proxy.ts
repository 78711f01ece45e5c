import { NextResponse, type NextFetchEvent } from "next/server";
import { withAuth, type NextRequestWithAuth } from "next-auth/middleware";
import { contentSecurityPolicy, HSTS, newNonce, servedOverHttps } from "@/lib/security/headers";

// Pages need a session (next-auth lets its sign-in page through); the agent API authenticates with bearer
// tokens; auth routes and the icons and web manifest (fetched without cookies by browsers) are public. Every page gets a policy with a fresh script nonce; API responses
// keep next.config's.
const requireSession = withAuth({ pages: { signIn: "/login" } });

function withSecurityHeaders(request: NextRequestWithAuth) {
  let response: NextResponse;
  if (request.nextUrl.pathname.startsWith("/api/")) {
    response = NextResponse.next();
  } else {
    const csp = contentSecurityPolicy(newNonce(), process.env.NODE_ENV === "development");
    const headers = new Headers(request.headers);
    headers.set("content-security-policy", csp);
    response = NextResponse.next({ request: { headers } });
    response.headers.set("content-security-policy", csp);
  }
  if (servedOverHttps(request.headers.get("x-forwarded-proto"), process.env.NEXTAUTH_URL)) {
    response.headers.set("strict-transport-security", HSTS);
  }
  return response;
}

export default async function proxy(request: NextRequestWithAuth, event: NextFetchEvent) {
  const refused = await requireSession(request, event);
  return refused ?? withSecurityHeaders(request);
}

export const config = {
  matcher: [
    "/((?!api/auth|api/agent|api/health|_next/static|_next/image|favicon.ico|icon.svg|icon-192.png|icon-512.png|apple-touch-icon.png|manifest.webmanifest).*)",
  ],
};
