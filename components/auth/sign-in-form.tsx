"use client";

import { useState } from "react";
import { signIn } from "next-auth/react";

export function SignInForm({ callbackUrl, oidcName }: { callbackUrl: string; oidcName: string | null }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const result = await signIn("credentials", {
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      redirect: false,
    });
    setPending(false);
    if (result?.ok && !result.error) window.location.assign(callbackUrl);
    else setError(result?.error && result.error !== "CredentialsSignin" ? result.error : "Wrong e-mail or password.");
  }

  return (
    <form className="stack" onSubmit={onSubmit} aria-label="Sign in">
      <label>
        E-mail
        <input name="email" type="email" autoComplete="username" required />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      {error && (
        <p role="alert" className="alert error">
          {error}
        </p>
      )}
      <button className="primary" type="submit" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
      {oidcName && (
        <button type="button" onClick={() => signIn("oidc", { callbackUrl })}>
          Sign in with {oidcName}
        </button>
      )}
    </form>
  );
}
