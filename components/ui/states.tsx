"use client";

import Link from "next/link";

/** Shared bodies of loading.tsx / error.tsx / not-found.tsx files, so every route says the same thing. */
export function LoadingState({ label }: { label: string }) {
  return (
    <div aria-busy="true" aria-label={`Loading ${label}`}>
      <h1 className="muted">{label}</h1>
      <div className="skeleton" style={{ width: "60%" }} />
      <div className="skeleton" />
      <div className="skeleton" style={{ width: "80%" }} />
    </div>
  );
}

export function ErrorState({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="panel">
      <h1>Something went wrong</h1>
      <p className="muted">
        {error.message || "The server could not load this page."}
        {error.digest && <span className="mono"> (reference {error.digest})</span>}
      </p>
      <button onClick={reset}>Try again</button>
    </div>
  );
}

export function NotFoundState({ what, back }: { what: string; back: { href: string; label: string } }) {
  return (
    <div className="panel">
      <h1>{what} not found</h1>
      <p className="muted">It does not exist, or you are not a member of the experiment it belongs to.</p>
      <Link href={back.href}>← {back.label}</Link>
    </div>
  );
}
