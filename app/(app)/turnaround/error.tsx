"use client";

import { ErrorState } from "@/components/ui/states";

export default function TurnaroundError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <ErrorState error={error} reset={reset} />;
}
