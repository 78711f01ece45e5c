"use client";

// Re-renders the server page when the server says the underlying data changed (a run finished): the SSE
// stream at `src` sends a small "changed" message, debounced on the server, and this calls router.refresh().

import { useEffect, useState } from "react";
import { useRouter } from "next/navigation";

export function LiveRefresh({ src, label = "Live" }: { src: string; label?: string }) {
  const router = useRouter();
  const [state, setState] = useState<"connecting" | "live" | "offline">("connecting");
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);

  useEffect(() => {
    const source = new EventSource(src);
    source.onopen = () => setState("live");
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? "offline" : "connecting");
    source.onmessage = (event) => {
      try {
        const message = JSON.parse(event.data) as { type?: string };
        if (message.type !== "changed") return;
      } catch {
        return;
      }
      setUpdatedAt(new Date());
      router.refresh();
    };
    return () => source.close();
  }, [src, router]);

  const title =
    state === "live"
      ? "Updates when a run finishes"
      : state === "connecting"
        ? "Connecting to live updates…"
        : "Live updates unavailable: reload the page to see new runs";
  return (
    <span className={`badge ${state === "live" ? "ok" : state === "offline" ? "bad" : ""}`} title={title} aria-live="polite">
      {state === "live" ? `● ${label}` : state === "connecting" ? "○ connecting" : "○ offline"}
      {updatedAt && <span className="muted"> · updated {updatedAt.toLocaleTimeString()}</span>}
    </span>
  );
}

export default LiveRefresh;
