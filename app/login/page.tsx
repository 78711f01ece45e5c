import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getCurrentUser } from "@/lib/auth/session";
import { oidcEnabled } from "@/lib/auth/options";
import { safeCallbackPath } from "@/lib/security/safe-callback";
import { SignInForm } from "@/components/auth/sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string }> }) {
  if (await getCurrentUser()) redirect("/");
  const { callbackUrl } = await searchParams;
  const safeCallback = safeCallbackPath(callbackUrl);
  return (
    <main className="login">
      <h1>Beamline Retrain</h1>
      <p className="muted">Retrain edge models on data-center AI systems during beamtime.</p>
      <div className="panel">
        <SignInForm callbackUrl={safeCallback} oidcName={oidcEnabled() ? (process.env.OIDC_NAME ?? "Globus") : null} />
      </div>
    </main>
  );
}
