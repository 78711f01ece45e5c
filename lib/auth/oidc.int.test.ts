// OpenID Connect sign-in against a real provider on loopback (oidc-provider, a certified implementation,
// standing in for Globus Auth, which these machines cannot reach), through the authorization-code flow
// over HTTP: the dashboard's redirects, the provider's login and consent, the callback.
import { generateKeyPairSync } from "node:crypto";
import http from "node:http";
import Provider, { type Configuration } from "oidc-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, Stack } from "@/testing/stack";
import { HttpSession } from "@/testing/http";

const CLIENT = { client_id: "beamline-retrain", client_secret: "oidc-test-client-secret-0123456789" };

// The people the provider knows (accountId = subject).
const ACCOUNTS: Record<string, { email: string; email_verified: boolean; name: string }> = {
  "idp-mallory": { email: "staff@demo.test", email_verified: false, name: "Mallory" },
  "idp-sam": { email: "staff@demo.test", email_verified: true, name: "Sam at the provider" },
  "idp-impostor": { email: "staff@demo.test", email_verified: true, name: "Another Sam" },
  "idp-newcomer": { email: "newcomer@lab.test", email_verified: true, name: "Nia Newcomer" },
  "idp-mallory-2": { email: "scientist@demo.test", email_verified: false, name: "Mallory again" },
};

let stack: Stack;
let issuer: string;
let server: http.Server;
/** Claims in the ID token, or (as the specification allows) only from the userinfo endpoint. */
let providers: { idToken: Provider; userinfo: Provider };
let active: Provider;
let userinfoCalls = 0;

function provider(claimsInIdToken: boolean, redirectUri: string, signingKey: object): Provider {
  const configuration: Configuration = {
    clients: [{ ...CLIENT, redirect_uris: [redirectUri], grant_types: ["authorization_code"], response_types: ["code"] }],
    jwks: { keys: [signingKey as never] },
    cookies: { keys: ["oidc-test-cookie-key"] },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    conformIdTokenClaims: !claimsInIdToken,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => {
      const account = ACCOUNTS[sub];
      return account ? { accountId: sub, claims: () => ({ sub, ...account }) } : undefined;
    },
  };
  return new Provider(issuer, configuration);
}

/** The provider's login page: the test "types" an account name; login and consent finish in one step. */
async function interaction(req: http.IncomingMessage, res: http.ServerResponse) {
  if (req.method === "GET") {
    res.writeHead(200, { "content-type": "text/html" }).end(`<form method="post" action="${req.url}/login"><input name="login"></form>`);
    return;
  }
  let body = "";
  for await (const chunk of req) body += chunk;
  const accountId = new URLSearchParams(body).get("login") ?? "";
  const details = await active.interactionDetails(req, res);
  const grant = new active.Grant({ accountId, clientId: String(details.params.client_id) });
  grant.addOIDCScope(String(details.params.scope));
  const grantId = await grant.save();
  await active.interactionFinished(req, res, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
}

beforeAll(async () => {
  const port = await freePort();
  issuer = `http://127.0.0.1:${port}`;
  stack = await Stack.create({
    name: "oidc",
    env: { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: CLIENT.client_id, OIDC_CLIENT_SECRET: CLIENT.client_secret, OIDC_NAME: "Test IdP" },
  });
  // One signing key for both configurations: the dashboard fetches the provider's keys once.
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: "jwk" }), kid: "test-key", alg: "RS256", use: "sig" };
  const redirectUri = `${stack.url}/api/auth/callback/oidc`;
  providers = { idToken: provider(true, redirectUri, signingKey), userinfo: provider(false, redirectUri, signingKey) };
  active = providers.idToken;
  server = http.createServer((req, res) => {
    if (req.url?.startsWith("/interaction/")) {
      interaction(req, res).catch((error: Error) => res.writeHead(500).end(error.message));
      return;
    }
    if (req.url?.startsWith("/me")) userinfoCalls++;
    active.callback()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  await stack.startWeb();
});
afterAll(async () => {
  await stack?.stop();
  server?.close();
});

/**
 * Signs in with the provider as `accountId`, following every redirect with a cookie jar per site;
 * returns where the dashboard sent the browser at the end and its session.
 */
async function oidcSignIn(accountId: string): Promise<{ landedAt: string; email: string | null }> {
  const app = new HttpSession(stack.url);
  const idp = new HttpSession(issuer);
  const { csrfToken } = (await (await app.fetch("/api/auth/csrf")).json()) as { csrfToken: string };
  const start = await app.fetch("/api/auth/signin/oidc", {
    method: "POST",
    body: new URLSearchParams({ csrfToken, callbackUrl: `${stack.url}/experiments`, json: "true" }),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  let location = ((await start.json()) as { url: string }).url;
  for (let hop = 0; location.startsWith(issuer); hop++) {
    expect(hop, "too many redirects at the provider").toBeLessThan(12);
    let response = await idp.fetch(location);
    if (response.status === 200 && new URL(location).pathname.startsWith("/interaction/")) {
      response = await idp.fetch(`${location}/login`, {
        method: "POST",
        body: new URLSearchParams({ login: accountId }),
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
    }
    expect([302, 303], `${location}: ${response.status} ${await response.clone().text()}`).toContain(response.status);
    location = new URL(response.headers.get("location")!, location).href;
  }
  expect(location.startsWith(`${stack.url}/api/auth/callback/oidc`), location).toBe(true);
  const callback = await app.fetch(location);
  const landedAt = new URL(callback.headers.get("location") ?? "", stack.url).href;
  const session = (await (await app.fetch("/api/auth/session")).json()) as { user?: { email?: string } };
  return { landedAt, email: session.user?.email ?? null };
}

const staffSubject = async () => (await stack.prisma.user.findUniqueOrThrow({ where: { email: "staff@demo.test" } })).oidcSubject;

describe("#7 OIDC with the claims in the ID token", () => {
  beforeAll(() => {
    active = providers.idToken;
    userinfoCalls = 0;
  });

  it("#7 an unverified e-mail does not sign in as the account that has that e-mail", async () => {
    const result = await oidcSignIn("idp-mallory");
    expect(result.email).toBeNull();
    expect(result.landedAt).toContain("error=AccessDenied");
    expect(await staffSubject()).toBeNull();
  });

  it("#7 a verified e-mail links the identity to the account without a subject", async () => {
    expect(await oidcSignIn("idp-sam")).toEqual({ landedAt: `${stack.url}/experiments`, email: "staff@demo.test" });
    expect(await staffSubject()).toBe("idp-sam");
  });

  it("#7 another identity with the same verified e-mail cannot replace the subject", async () => {
    const result = await oidcSignIn("idp-impostor");
    expect(result.email).toBeNull();
    expect(result.landedAt).toContain("error=AccessDenied");
    expect(await staffSubject()).toBe("idp-sam");
    // The linked identity still signs in.
    expect((await oidcSignIn("idp-sam")).email).toBe("staff@demo.test");
  });

  it("read the claims from the ID token without asking the userinfo endpoint", () => {
    expect(userinfoCalls).toBe(0);
  });
});

describe("#7 OIDC with the claims only at the userinfo endpoint", () => {
  beforeAll(() => {
    active = providers.userinfo;
    userinfoCalls = 0;
  });

  it("#7 a verified e-mail from userinfo signs a newcomer in as a viewer", async () => {
    expect(await oidcSignIn("idp-newcomer")).toEqual({ landedAt: `${stack.url}/experiments`, email: "newcomer@lab.test" });
    const user = await stack.prisma.user.findUniqueOrThrow({ where: { email: "newcomer@lab.test" } });
    expect(user).toMatchObject({ oidcSubject: "idp-newcomer", role: "viewer", name: "Nia Newcomer" });
    expect(userinfoCalls).toBeGreaterThan(0);
  });

  it("#7 an unverified e-mail from userinfo is refused too", async () => {
    const result = await oidcSignIn("idp-mallory-2");
    expect(result.email).toBeNull();
    expect(result.landedAt).toContain("error=AccessDenied");
    expect((await stack.prisma.user.findUniqueOrThrow({ where: { email: "scientist@demo.test" } })).oidcSubject).toBeNull();
  });
});
