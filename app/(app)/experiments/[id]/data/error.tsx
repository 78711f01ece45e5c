"use client";

import { ErrorState } from "@/components/ui/states";

export default function Error(props: { error: Error & { digest?: string }; reset: () => void }) {
  return <ErrorState {...props} />;
}
