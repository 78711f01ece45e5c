import { NextResponse } from "next/server";
import { withAuth, type NextRequestWithAuth } from "next-auth/middleware";
import { contentSecurityPolicy, HSTS, newNonce, servedOverHttps } from "@/lib/security/headers";

// Pages need a session (the login page excepted); the agent API authenticates with bearer tokens and auth
// routes are public. Every page gets a policy with a fresh script nonce; API responses keep next.config's.
const PUBLIC_PAGES = new Set(["/login"]);

function withSecurityHeaders(request: NextRequestWithAuth) {
  const https = servedOverHttps(request.headers.get("x-forwarded-proto"), process.env.NEXTAUTH_URL);
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
  if (https) response.headers.set("strict-transport-security", HSTS);
  return response;
}

export default withAuth(withSecurityHeaders, {
  pages: { signIn: "/login" },
  callbacks: { authorized: ({ req, token }) => PUBLIC_PAGES.has(req.nextUrl.pathname) || token !== null },
});

export const config = {
  matcher: ["/((?!api/auth|api/agent|api/health|_next/static|_next/image|favicon.ico).*)"],
};
